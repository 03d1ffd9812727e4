#pragma once
// `upcamp synth`: writes the whole synthetic dataset into a folder.
//
// Clients are generated in blocks in parallel; each block formats its rows into its own text
// buffers and the blocks are written in client order, so the files are byte-identical for any
// thread count. Memory stays bounded (two waves of blocks in flight), whatever the number of
// clients.

#include <cstdint>
#include <string>
#include <vector>

#include "core/context.h"
#include "core/status.h"
#include "synth/params.h"

namespace upcamp::synth {

/// Column names of every table, in file order (PRODUCT.md section 2; purchases in the X5 order).
extern const std::vector<std::string> kClientProfileColumns;
extern const std::vector<std::string> kProductsColumns;
extern const std::vector<std::string> kReceiptsColumns;
extern const std::vector<std::string> kPurchasesColumns;
extern const std::vector<std::string> kCampaignsColumns;
extern const std::vector<std::string> kTruthColumns;

struct SynthOutputOptions {
  /// Compression of the big tables (receipts, purchases): "none", "gz" or "zst".
  std::string compress = "none";
  Status Validate() const;
};

struct SynthSummary {
  uint64_t clients = 0, receipts = 0, purchase_lines = 0, products = 0, stores = 0;
  uint64_t treated = 0;
  /// Written files (name relative to the folder) and their sizes in bytes.
  std::vector<std::pair<std::string, uint64_t>> files;
  double seconds = 0;
};

/// Generates the dataset into `out_dir` (created if needed): client_profile.csv, products.csv,
/// receipts.csv, purchases.csv, campaigns.csv, truth.csv, catalog.yaml and synth.json (written
/// last). Each file appears atomically; an error leaves no partial file behind.
Status GenerateDataset(const SynthParams& params, const SynthOutputOptions& output,
                       const std::string& out_dir, const Context& ctx,
                       SynthSummary* summary = nullptr);

}  // namespace upcamp::synth
