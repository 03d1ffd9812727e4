#pragma once
// Split criteria of the uplift trees (Rzepakowski & Jaroszewicz 2012, "Decision trees for uplift
// modeling with single and multiple treatments"; Hansotia & Rukstales 2002 for DDP).
// docs/uplift_forest.md derives each formula and how it differs from causalml.
//
// Notation for a node with N = Nt + Nc (weighted) rows split into L and R:
//   pt, pc      the node's outcome means in treatment/control (regularized, see below);
//   ptL, pcL... the children's means, shrunk towards the node's: (s + n_reg*p)/(n + n_reg);
//   D(pt, pc)   the divergence of the criterion:
//     KL  : pt*log2(pt/pc) + (1-pt)*log2((1-pt)/(1-pc))           (pc clipped to [1e-6, 1-1e-6])
//     ED  : 2*(pt-pc)^2   (binary: the squared Euclidean distance of (pt,1-pt) and (pc,1-pc));
//           (pt-pc)^2 for a continuous outcome (means)
//     Chi : (pt-pc)^2/pc + (pt-pc)^2/(1-pc)                        (denominators >= 1e-6)
//   gain = NL/N * D(ptL, pcL) + NR/N * D(ptR, pcR) - D(pt, pc),
//   normalized (R&J) by
//     KL      : I = H(Nt/N, Nc/N) * KL(aT : aC) + Nt/N * H(aT) + Nc/N * H(aC) + 1/2
//     ED, Chi : J = Gini(Nt/N, Nc/N) * D(aT : aC) + Nt/N * Gini(aT) + Nc/N * Gini(aC) + 1/2
//   with aT = (NtL/Nt, NtR/Nt), aC = (NcL/Nc, NcR/Nc) the split's distributions in each group,
//   H the entropy in bits, Gini(a) = 1 - sum a_i^2, and D(aT : aC) the criterion's own
//   divergence between those two-point distributions (E: sum (a_i - b_i)^2, chi^2: sum
//   (a_i-b_i)^2/b_i).
//   DDP : |(ptL - pcL) - (ptR - pcR)| (not normalized).

#include <string_view>

namespace upcamp::models::forest {

enum class Criterion { kKL, kED, kChi, kDDP };

/// "KL", "ED", "Chi", "DDP".
const char* CriterionName(Criterion c);
/// Parses a name case-insensitively; false if unknown.
bool ParseCriterion(std::string_view name, Criterion* out);
/// Whether the criterion is defined for a continuous outcome (on means): ED and DDP.
bool SupportsContinuous(Criterion c);

/// Weighted sums of one group of rows: n = sum of weights, s = sum of weight * outcome.
struct GroupSums {
  double n = 0, s = 0;
};

/// The sums of a node (or candidate child) per treatment group.
struct NodeSums {
  GroupSums treated, control;
  double n() const { return treated.n + control.n; }
};

/// Mean shrunk towards `prior`: (s + n_reg * prior) / (n + n_reg); `prior` when that is 0/0.
double ShrunkMean(const GroupSums& g, double prior, double n_reg);

/// D(pt, pc) as above. `binary` selects ED's factor 2.
double Divergence(Criterion c, double pt, double pc, bool binary);

/// The normalization factor I (KL) or J (ED, Chi) of a split; 1 for DDP.
double SplitNormalization(Criterion c, const NodeSums& left, const NodeSums& right);

/// The criterion value of splitting a node whose own (regularized) means are
/// (node_pt, node_pc) into `left` and `right` (sums of the node's rows).
double SplitGain(Criterion c, bool binary, bool normalize, double n_reg, double node_pt,
                 double node_pc, const NodeSums& left, const NodeSums& right);

}  // namespace upcamp::models::forest
