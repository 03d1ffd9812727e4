#pragma once
// Transforms (PRODUCT.md §3): column-wise steps that run after the calcers, are *fitted* on the
// training table, stored in the model bundle as JSON and applied identically at scoring.
//
// Two objects per transform, as for calcers (an immutable description, separate state):
//   Transform        — registry name + validated args, built from a config entry {name, args}
//                      (transform_registry.h). Fit() learns the state from a training table.
//   FittedTransform  — description + learned state. Apply() adds (or replaces) its output
//                      columns; it never looks at other rows of the table it is applied to, so
//                      scoring a client does not depend on which other clients are scored.
//
// Training mode vs scoring mode. Every transform but one computes the same thing on training and
// scoring data. The exception is loo_mean_target_encoder: on its own training rows it must give
// each row the mean target of the *other* rows of its category (leave-one-out, so a row's own
// target does not leak into its feature), while new rows get the category's full training mean.
// The API keeps the two apart:
//   Transform::FitTransform(train) — fits on `train` and writes the training-mode outputs into
//                                    that same table (the only way to get leave-one-out values);
//   FittedTransform::Apply(table)  — always scoring mode, whatever the table is.
// So a leave-one-out value can never be produced for rows the encoder was not fitted on.
//
// Serialization: FittedTransform::ToJson() gives {"name", "version", "args", "state"} (plain JSON,
// doubles round-trip exactly); FittedTransformFromJson() (transform_registry.h) rebuilds it and
// refuses unknown names and state versions it cannot read.

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/status.h"
#include "data/table.h"

namespace upcamp {

class FittedTransform;

/// An immutable, validated description of one transform (name + args). Thread-compatible: all
/// methods are const.
class Transform {
 public:
  virtual ~Transform() = default;

  /// Registry name, e.g. "binning".
  virtual const std::string& name() const = 0;
  /// The arguments with defaults filled in, as written back to configs and bundles. Building a
  /// transform from these args gives an identical transform.
  virtual nlohmann::json args() const = 0;
  /// Version of the state format this build writes (and the newest it reads).
  virtual int version() const = 0;
  /// Columns Fit/FitTransform read from the training table (loo_mean_target_encoder: the
  /// category and the target).
  virtual std::vector<std::string> FitInputs() const = 0;

  /// Learns the state from `train` (which is not changed). Errors: a missing input column or a
  /// column of the wrong type (data errors naming the column), nothing to learn from (e.g. an
  /// all-missing column for binning with a bin count).
  virtual Result<std::unique_ptr<FittedTransform>> Fit(const Table& train) const = 0;

  /// Fits on `train` and adds the training-mode outputs to `train` (training mode, see the top of
  /// this file). The same as Fit() then Apply() for every transform except
  /// loo_mean_target_encoder, whose training rows get leave-one-out means.
  virtual Result<std::unique_ptr<FittedTransform>> FitTransform(Table& train) const;

  /// Rebuilds the fitted transform from a state written by FittedTransform::state() of a build
  /// whose version() was `version`. A newer or unknown version, or a malformed state, is a data
  /// error (a corrupt or too new bundle) that says what to do.
  Result<std::unique_ptr<FittedTransform>> Restore(const nlohmann::json& state, int version) const;

 protected:
  /// Parses and validates a state of version() (Restore has checked the version).
  virtual Result<std::unique_ptr<FittedTransform>> RestoreState(
      const nlohmann::json& state) const = 0;
};

/// A transform with its learned state: immutable, safe to share between threads.
class FittedTransform {
 public:
  virtual ~FittedTransform() = default;

  virtual const std::string& name() const = 0;
  virtual nlohmann::json args() const = 0;
  virtual int version() const = 0;
  /// The learned state as plain JSON ({} when there is nothing to learn). Doubles are stored as
  /// JSON numbers (nlohmann writes the shortest text that parses back to the same double);
  /// ±infinity as the strings "inf" / "-inf".
  virtual nlohmann::json state() const = 0;

  /// Columns Apply reads (scoring mode), in the order of the args. The target of
  /// loo_mean_target_encoder is not among them: scoring data need not have it.
  virtual std::vector<std::string> InputColumns() const = 0;
  /// Columns Apply writes, in order (one_hot_encode: one per fitted category).
  virtual std::vector<std::string> OutputColumns() const = 0;

  /// Scoring mode: computes every output column from the same row's inputs and the fitted state,
  /// then adds them to `table` (replacing same-named columns). On error `table` is unchanged.
  virtual Status Apply(Table& table) const = 0;

  /// {"name": ..., "version": ..., "args": {...}, "state": {...}}.
  nlohmann::json ToJson() const;
};

using FittedTransforms = std::vector<std::unique_ptr<FittedTransform>>;

/// Fits a list of transforms in order on `train`: each is fitted with FitTransform (training
/// mode), so later transforms see the outputs of earlier ones. `train` ends up with every output.
/// On error `train` may hold the outputs of the transforms before the failing one.
Result<FittedTransforms> FitTransforms(const std::vector<std::unique_ptr<Transform>>& transforms,
                                       Table& train);

/// Applies fitted transforms in order (scoring mode). First checks that `table` has every
/// RequiredColumns() entry; if not, a data error lists all the missing ones.
Status ApplyTransforms(const FittedTransforms& fitted, Table& table);

/// The columns a table must bring for ApplyTransforms: every transform's inputs that no earlier
/// transform of the list produces, in order of first use, without duplicates.
std::vector<std::string> RequiredColumns(const FittedTransforms& fitted);

/// Every output column of the list, in order, without duplicates.
std::vector<std::string> ProducedColumns(const FittedTransforms& fitted);

/// The RequiredColumns() that are not in `available` (e.g. a scoring table's column names).
std::vector<std::string> MissingColumns(const FittedTransforms& fitted,
                                        const std::vector<std::string>& available);

}  // namespace upcamp
