#include "campaign/run.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <numeric>

#include "campaign/config.h"
#include "campaign/design.h"
#include "campaign/report.h"
#include "core/file_util.h"
#include "core/hash.h"
#include "core/log.h"
#include "core/version.h"
#include "data/catalog.h"
#include "data/csv_writer.h"
#include "data/ucol.h"
#include "features/engine.h"
#include "features/registry.h"
#include "flow/run.h"
#include "pipeline/bundle.h"
#include "pipeline/score.h"

namespace upcamp::campaign {
namespace fs = std::filesystem;

namespace {

// Bump a stage's version whenever its code changes what it writes: finished runs then recompute
// it (and everything downstream) instead of restoring stale output.
constexpr const char* kSelectVersion = "select-v1";
constexpr const char* kFeaturesVersion = "features-v1";
constexpr const char* kScoreVersion = "score-v1";
constexpr const char* kSplitVersion = "split-v1";
constexpr const char* kRecommendVersion = "recommend-v1";
constexpr const char* kFreezeVersion = "freeze-v1";

constexpr const char* kFreezeManifest = "freeze.json";
constexpr const char* kResultFile = "result.csv";

std::string Sha256OfFile(const std::string& path, Status* status) {
  auto content = ReadFileToString(path);
  if (!content.ok()) {
    *status = content.status();
    return {};
  }
  return Sha256Hex({reinterpret_cast<const uint8_t*>(content->data()), content->size()});
}

Result<std::vector<std::string>> ClientIds(const Table& table, const std::string& what) {
  UPCAMP_ASSIGN_OR_RETURN(const Column* id, table.GetColumn("client_id", what));
  std::vector<std::string> out(table.num_rows());
  for (size_t i = 0; i < out.size(); ++i) out[i] = id->ValueToString(i);
  return out;
}

Status WriteTable(const Table& table, const std::string& path, const Context& ctx) {
  UcolWriteOptions o;
  o.threads = ctx.threads;
  return WriteUcol(table, path, o);
}

Result<Table> ReadTable(const std::string& path, const Context& ctx) {
  UcolReadOptions o;
  o.threads = ctx.threads;
  return ReadUcol(path, o);
}

// Everything the stages share: the validated config, the loaded bundle and the catalog.
struct Campaign {
  CampaignConfig config;
  pipeline::Bundle bundle;
  Catalog catalog;
  std::vector<flow::ExternalFile> catalog_files;
};

// ---- stages ------------------------------------------------------------------------------------

Status RunSelect(const Campaign& c, flow::StageContext& s) {
  const Context& ctx = s.ctx();
  // The client base is client_profile: one row per client, whatever the selection features see.
  CatalogReadOptions read;
  read.columns = {"client_id"};
  read.threads = ctx.threads;
  UPCAMP_ASSIGN_OR_RETURN(Table profile, c.catalog.ReadTable("client_profile", read));
  UPCAMP_ASSIGN_OR_RETURN(auto base, ClientIds(profile, c.catalog.path() + ": client_profile"));
  UPCAMP_ASSIGN_OR_RETURN(auto calcers, MakeCalcers(ConfigNode::FromJson(
                                            c.config.selection_features, "selection.features")));
  Table features;
  if (calcers.empty()) {
    features = std::move(profile);
  } else {
    ExtractOptions options;
    options.params.date_to = c.config.date_to;
    options.clients = base;
    CatalogSource source(c.catalog);
    UPCAMP_ASSIGN_OR_RETURN(features, ExtractFeatures(calcers, source, options, ctx));
  }
  UPCAMP_ASSIGN_OR_RETURN(Selection selection, SelectClients(c.config, features));
  UPCAMP_RETURN_IF_ERROR(CheckGroupSizesFit(c.config, selection.rows.size()));
  Table selected = features.TakeRows(selection.rows);
  UPCAMP_RETURN_IF_ERROR(WriteTable(selected, s.OutputPath("selection.ucol"), ctx));
  nlohmann::json filters = nlohmann::json::array();
  for (const auto& f : selection.filters) {
    filters.push_back(
        {{"filter", f.filter}, {"removed", f.removed}, {"removed_missing", f.removed_missing}});
  }
  const nlohmann::json stats = {{"candidates", selection.candidates},
                                {"filters", filters},
                                {"after_filters", selection.after_filters},
                                {"sampled_out", selection.sampled_out},
                                {"selected", selection.rows.size()}};
  UPCAMP_RETURN_IF_ERROR(WriteJsonFileAtomic(s.OutputPath("selection.json"), stats));
  spdlog::info("campaign: selected {} of {} clients", selection.rows.size(), selection.candidates);
  s.SetRows(static_cast<int64_t>(selection.rows.size()));
  return Status::Ok();
}

Result<std::vector<std::string>> SelectedClients(flow::StageContext& s) {
  UPCAMP_ASSIGN_OR_RETURN(std::string path, s.InputPath("select", "selection.ucol"));
  UcolReadOptions o;
  o.columns = {"client_id"};
  UPCAMP_ASSIGN_OR_RETURN(Table t, ReadUcol(path, o));
  return ClientIds(t, path);
}

Status RunFeatures(const Campaign& c, flow::StageContext& s) {
  UPCAMP_ASSIGN_OR_RETURN(auto clients, SelectedClients(s));
  const auto n = static_cast<int64_t>(clients.size());
  UPCAMP_ASSIGN_OR_RETURN(Table features,
                          pipeline::ExtractServingFeatures(c.bundle, c.catalog, c.config.date_to,
                                                           std::move(clients), s.ctx()));
  UPCAMP_RETURN_IF_ERROR(WriteTable(features, s.OutputPath("features.ucol"), s.ctx()));
  s.SetRows(n);
  return Status::Ok();
}

Status RunScore(const Campaign& c, flow::StageContext& s) {
  UPCAMP_ASSIGN_OR_RETURN(std::string path, s.InputPath("features", "features.ucol"));
  UPCAMP_ASSIGN_OR_RETURN(Table features, ReadTable(path, s.ctx()));
  UPCAMP_ASSIGN_OR_RETURN(const Column* id, features.GetColumn("client_id", path));
  Column ids = *id;
  const auto n = static_cast<int64_t>(features.num_rows());
  UPCAMP_ASSIGN_OR_RETURN(
      auto scores, pipeline::ScoreFeatureTable(c.bundle, std::move(features), path, s.ctx()));
  UPCAMP_ASSIGN_OR_RETURN(
      Table out, Table::Make({std::move(ids), Column::Float64("score", std::move(scores))}));
  UPCAMP_RETURN_IF_ERROR(WriteTable(out, s.OutputPath("scores.ucol"), s.ctx()));
  s.SetRows(n);
  return Status::Ok();
}

Status RunSplit(const Campaign& c, flow::StageContext& s) {
  UPCAMP_ASSIGN_OR_RETURN(auto clients, SelectedClients(s));
  UPCAMP_ASSIGN_OR_RETURN(auto groups, AssignGroups(c.config, clients));
  std::vector<std::optional<std::string>> names(clients.size());
  std::vector<std::optional<std::string>> ids(clients.begin(), clients.end());
  for (size_t i = 0; i < clients.size(); ++i) {
    names[i] = groups[i] < 0 ? std::string("unassigned")
                             : c.config.groups[static_cast<size_t>(groups[i])].name;
  }
  UPCAMP_ASSIGN_OR_RETURN(Table out, Table::Make({Column::StringFromValues("client_id", ids),
                                                  Column::StringFromValues("group", names)}));
  UPCAMP_RETURN_IF_ERROR(WriteTable(out, s.OutputPath("groups.ucol"), s.ctx()));
  s.SetRows(static_cast<int64_t>(clients.size()));
  return Status::Ok();
}

Status RunRecommend(const Campaign& c, flow::StageContext& s) {
  UPCAMP_ASSIGN_OR_RETURN(std::string scores_path, s.InputPath("score", "scores.ucol"));
  UPCAMP_ASSIGN_OR_RETURN(std::string groups_path, s.InputPath("split", "groups.ucol"));
  UPCAMP_ASSIGN_OR_RETURN(Table scores, ReadTable(scores_path, s.ctx()));
  UPCAMP_ASSIGN_OR_RETURN(Table groups, ReadTable(groups_path, s.ctx()));
  UPCAMP_ASSIGN_OR_RETURN(auto score_ids, ClientIds(scores, scores_path));
  UPCAMP_ASSIGN_OR_RETURN(auto group_ids, ClientIds(groups, groups_path));
  if (score_ids != group_ids) {
    return Status::Runtime("internal: scores and groups list different clients");
  }
  const auto score = scores.FindColumn("score")->float64s();
  const Column& group_column = *groups.FindColumn("group");
  std::map<std::string, int32_t> group_index;
  for (size_t g = 0; g < c.config.groups.size(); ++g) {
    group_index[c.config.groups[g].name] = static_cast<int32_t>(g);
  }
  std::vector<int32_t> group(score_ids.size(), -1);
  std::vector<double> model_scores;
  for (size_t i = 0; i < group.size(); ++i) {
    const auto it = group_index.find(group_column.ValueToString(i));
    if (it != group_index.end()) group[i] = it->second;
    if (group[i] >= 0 && c.config.groups[static_cast<size_t>(group[i])].model_treatment) {
      model_scores.push_back(score[i]);
    }
  }
  const bool has_model_group = std::any_of(c.config.groups.begin(), c.config.groups.end(),
                                           [](const GroupSpec& g) { return g.model_treatment; });
  double threshold = 0;
  if (has_model_group) {
    UPCAMP_ASSIGN_OR_RETURN(threshold,
                            ResolveThreshold(c.config, c.bundle.threshold, model_scores));
  }
  std::vector<std::optional<std::string>> treatment(group.size());
  for (size_t i = 0; i < group.size(); ++i) {
    treatment[i] = std::string(TreatmentFor(c.config, group[i], score[i], threshold));
  }
  Column ids = *scores.FindColumn("client_id");
  Column scores_column = *scores.FindColumn("score");
  UPCAMP_ASSIGN_OR_RETURN(Table out, Table::Make({std::move(ids), *groups.FindColumn("group"),
                                                  Column::StringFromValues("treatment", treatment),
                                                  std::move(scores_column)}));
  UPCAMP_RETURN_IF_ERROR(WriteTable(out, s.OutputPath("assignment.ucol"), s.ctx()));
  nlohmann::json threshold_json = c.config.ThresholdJson();
  threshold_json["value"] = has_model_group ? nlohmann::json(threshold) : nlohmann::json();
  UPCAMP_RETURN_IF_ERROR(WriteJsonFileAtomic(s.OutputPath("threshold.json"), threshold_json));
  s.SetRows(static_cast<int64_t>(group.size()));
  return Status::Ok();
}

nlohmann::json TargetDefinition(const Campaign& c);

Status RunFreeze(const Campaign& c, flow::StageContext& s) {
  UPCAMP_ASSIGN_OR_RETURN(std::string path, s.InputPath("recommend", "assignment.ucol"));
  UPCAMP_ASSIGN_OR_RETURN(Table assignment, ReadTable(path, s.ctx()));
  UPCAMP_ASSIGN_OR_RETURN(auto ids, ClientIds(assignment, path));
  const auto score = assignment.FindColumn("score")->float64s();
  // Sorted by score descending; ties (and missing scores, last) by client_id, so the file does
  // not depend on row order.
  std::vector<int64_t> order(ids.size());
  std::iota(order.begin(), order.end(), int64_t{0});
  std::sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
    const double sa = score[static_cast<size_t>(a)], sb = score[static_cast<size_t>(b)];
    const bool na = std::isnan(sa), nb = std::isnan(sb);
    if (na != nb) return nb;
    if (!na && sa != sb) return sa > sb;
    return ids[static_cast<size_t>(a)] < ids[static_cast<size_t>(b)];
  });
  Table sorted = assignment.TakeRows(order);
  std::vector<int64_t> rank(order.size());
  std::iota(rank.begin(), rank.end(), int64_t{1});
  UPCAMP_RETURN_IF_ERROR(sorted.AddColumn(Column::Int64("rank", std::move(rank))));
  const std::string result_path = s.OutputPath(kResultFile);
  UPCAMP_RETURN_IF_ERROR(WriteCsv(sorted, result_path));

  // Counts per group x treatment.
  std::map<std::string, std::map<std::string, int64_t>> counts;
  const Column& group = *sorted.FindColumn("group");
  const Column& treatment = *sorted.FindColumn("treatment");
  for (size_t i = 0; i < sorted.num_rows(); ++i) {
    ++counts[group.ValueToString(i)][treatment.ValueToString(i)];
  }
  UPCAMP_ASSIGN_OR_RETURN(std::string selection_path, s.InputPath("select", "selection.json"));
  UPCAMP_ASSIGN_OR_RETURN(nlohmann::json selection, ReadJsonFile(selection_path));
  UPCAMP_ASSIGN_OR_RETURN(std::string threshold_path, s.InputPath("recommend", "threshold.json"));
  UPCAMP_ASSIGN_OR_RETURN(nlohmann::json threshold, ReadJsonFile(threshold_path));
  Status st;
  const std::string result_digest = Sha256OfFile(result_path, &st);
  UPCAMP_RETURN_IF_ERROR(st);
  const nlohmann::json manifest = {
      {"format", "upcamp-campaign-freeze"},
      {"format_version", 1},
      {"tool_version", kVersion},
      {"name", c.config.name},
      {"config", c.config.ToJson()},
      {"bundle",
       {{"dir", c.bundle.dir},
        {"checksum", c.bundle.checksum},
        {"model_type", c.bundle.model->type()}}},
      {"date_to", c.config.date_to_text},
      {"target", TargetDefinition(c)},
      {"selection", selection},
      {"threshold", threshold},
      {"clients", sorted.num_rows()},
      {"counts", counts},
      {"files", {{kResultFile, result_digest}}},
  };
  UPCAMP_RETURN_IF_ERROR(WriteJsonFileAtomic(s.OutputPath(kFreezeManifest), manifest));
  s.SetRows(static_cast<int64_t>(sorted.num_rows()));
  return Status::Ok();
}

// The outcome evaluation will use: the config's evaluation.target, else the bundle's target.
nlohmann::json TargetDefinition(const Campaign& c) {
  if (!c.config.evaluation_target.empty()) {
    return {{"expression", c.config.evaluation_target}, {"source", "config evaluation.target"}};
  }
  const nlohmann::json& target = c.bundle.manifest.value("target", nlohmann::json::object());
  if (target.contains("expression")) {
    return {{"expression", target["expression"]}, {"source", "model bundle"}};
  }
  return {{"expression", "`" + target.value("column", std::string("target")) + "`"},
          {"source", "model bundle"}};
}

// ---- wiring ------------------------------------------------------------------------------------

std::vector<flow::StageSpec> Stages(const Campaign& c) {
  const nlohmann::json bundle = {{"checksum", c.bundle.checksum}};
  std::vector<flow::StageSpec> stages;
  auto add = [&](const char* name, const char* version, std::vector<std::string> inputs,
                 nlohmann::json params, std::vector<flow::ExternalFile> files,
                 Status (*fn)(const Campaign&, flow::StageContext&)) {
    flow::StageSpec spec;
    spec.name = name;
    spec.code_version = version;
    spec.inputs = std::move(inputs);
    spec.params = std::move(params);
    spec.external_files = std::move(files);
    spec.run = [&c, fn](flow::StageContext& s) { return fn(c, s); };
    stages.push_back(std::move(spec));
  };
  // The seed draws the random subset only: without one, changing the seed must not recompute the
  // selection and everything scored from it.
  nlohmann::json select_params = c.config.SelectionJson();
  if (!select_params.contains("sample")) select_params.erase("seed");
  add("select", kSelectVersion, {}, std::move(select_params), c.catalog_files, &RunSelect);
  add("features", kFeaturesVersion, {"select"},
      {{"bundle", bundle}, {"date_to", c.config.date_to_text}}, c.catalog_files, &RunFeatures);
  add("score", kScoreVersion, {"features"}, {{"bundle", bundle}}, {}, &RunScore);
  add("split", kSplitVersion, {"select"},
      {{"seed", c.config.seed}, {"groups", c.config.GroupsJson()}}, {}, &RunSplit);
  add("recommend", kRecommendVersion, {"score", "split"},
      {{"threshold", c.config.ThresholdJson()},
       {"groups", c.config.GroupsJson()},
       {"bundle_threshold",
        c.bundle.threshold ? nlohmann::json(*c.bundle.threshold) : nlohmann::json()}},
      {}, &RunRecommend);
  add("freeze", kFreezeVersion, {"recommend", "select"},
      {{"config", c.config.ToJson()}, {"bundle", bundle}}, {}, &RunFreeze);
  return stages;
}

// Compares a frozen run's manifest with the current config and bundle; a difference is a usage
// error listing what changed.
Status CheckFrozen(const nlohmann::json& frozen, const Campaign& c, const std::string& run_id,
                   const std::string& manifest_path) {
  std::vector<std::string> changes;
  const nlohmann::json now = c.config.ToJson();
  const nlohmann::json& before = frozen.at("config");
  for (const auto& [key, value] : now.items()) {
    if (!before.contains(key) || before.at(key) != value) changes.push_back("config '" + key + "'");
  }
  for (const auto& [key, value] : before.items()) {
    if (!now.contains(key)) changes.push_back("config '" + key + "'");
  }
  if (frozen.at("bundle").at("checksum") != c.bundle.checksum) {
    changes.push_back(
        fmt::format("model bundle (checksum {} now {})",
                    frozen.at("bundle").at("checksum").get<std::string>().substr(0, 12),
                    c.bundle.checksum.substr(0, 12)));
  }
  if (changes.empty()) return Status::Ok();
  std::string list;
  for (const auto& change : changes) list += (list.empty() ? "" : ", ") + change;
  return Status::Usage(
      "run '{}' is frozen ({}) and cannot change: {} differ from the frozen run. Use a new "
      "--run-id for a new campaign",
      run_id, manifest_path, list);
}

// Publishes a finished freeze stage into the run folder: result.csv, then the report, then
// freeze.json last (its presence means the run is frozen, so a crash before it leaves a run that
// the next attempt publishes again). Runs under the run's lock. Returns the freeze manifest.
Result<nlohmann::json> Publish(const std::string& freeze_dir, const std::string& run_dir,
                               const Context& ctx) {
  const fs::path from(freeze_dir), to(run_dir);
  const std::string result_path = (to / kResultFile).string();
  UPCAMP_ASSIGN_OR_RETURN(std::string csv, ReadFileToString((from / kResultFile).string()));
  UPCAMP_RETURN_IF_ERROR(WriteFileAtomic(result_path, csv));
  flow::InjectFault("publish", "after_result");
  const std::string manifest_path = (from / kFreezeManifest).string();
  UPCAMP_ASSIGN_OR_RETURN(std::string manifest, ReadFileToString(manifest_path));
  nlohmann::json freeze;
  try {
    freeze = nlohmann::json::parse(manifest);
  } catch (const nlohmann::json::exception& e) {
    return Status::Data("{}: not valid JSON ({})", manifest_path, e.what());
  }
  UPCAMP_RETURN_IF_ERROR(
      WriteCampaignReport(freeze, result_path, nullptr, (to / "report.html").string(), ctx));
  flow::InjectFault("publish", "after_report");
  UPCAMP_RETURN_IF_ERROR(WriteFileAtomic((to / kFreezeManifest).string(), manifest));
  return freeze;
}

}  // namespace

const std::vector<std::string>& CampaignStageNames() {
  static const std::vector<std::string> kNames = {"select", "features",  "score",
                                                  "split",  "recommend", "freeze"};
  return kNames;
}

Result<CampaignRunResult> RunCampaign(const CampaignRunOptions& options, const Context& ctx) {
  UPCAMP_RETURN_IF_ERROR(flow::ValidateName(options.run_id, "run id"));
  for (const std::string* stage : {&options.force_stage, &options.until_stage}) {
    if (!stage->empty() && std::find(CampaignStageNames().begin(), CampaignStageNames().end(),
                                     *stage) == CampaignStageNames().end()) {
      return Status::Usage(
          "unknown stage '{}' (stages: select, features, score, split, "
          "recommend, freeze)",
          *stage);
    }
  }
  // Everything is validated before any work: config, catalog, bundle.
  auto campaign = std::make_unique<Campaign>();
  UPCAMP_ASSIGN_OR_RETURN(campaign->config,
                          LoadCampaignConfig(options.config_path, options.date_to));
  UPCAMP_ASSIGN_OR_RETURN(campaign->catalog, Catalog::Load(campaign->config.catalog_path));
  if (!campaign->catalog.Has("client_profile")) {
    return Status::Config("{}: the catalog has no client_profile table (the client base)",
                          campaign->config.catalog_path);
  }
  UPCAMP_ASSIGN_OR_RETURN(campaign->bundle, pipeline::LoadBundle(campaign->config.model_dir));
  if (!campaign->bundle.catalog_mode) {
    return Status::Config(
        "model {}: trained on a ready table, so it cannot compute its features "
        "from the catalog; train it with a catalog + feature config",
        campaign->config.model_dir);
  }
  campaign->catalog_files.push_back({campaign->catalog.path(), false});
  for (const auto& table : campaign->catalog.tables()) {
    if (!table.path.empty()) campaign->catalog_files.push_back({table.path, false});
  }

  CampaignRunResult result;
  result.run_dir = flow::RunDir(options.runs_dir, options.run_id);
  const std::string frozen_path = (fs::path(result.run_dir) / kFreezeManifest).string();
  result.result_path = (fs::path(result.run_dir) / kResultFile).string();
  // A published run is immutable. freeze.json is written last, so once it exists nothing in the
  // run folder changes: checked without the lock first (nothing to do, and no need to be refused
  // by another no-op check), then again under the lock, as another process may have published
  // the run in between.
  auto check_frozen = [&]() -> Status {
    if (!FileExists(frozen_path)) return Status::Ok();
    UPCAMP_ASSIGN_OR_RETURN(nlohmann::json frozen, ReadJsonFile(frozen_path));
    UPCAMP_RETURN_IF_ERROR(CheckFrozen(frozen, *campaign, options.run_id, frozen_path));
    result.already_frozen = result.frozen = true;
    result.freeze = std::move(frozen);
    spdlog::info("campaign: run '{}' is already frozen with this config and model; nothing to do",
                 options.run_id);
    return Status::Ok();
  };
  UPCAMP_RETURN_IF_ERROR(check_frozen());
  if (!result.frozen) {
    // Held until the run is published, so no other process on this run id can interleave.
    UPCAMP_ASSIGN_OR_RETURN(flow::RunLock lock, flow::LockRun(options.runs_dir, options.run_id));
    UPCAMP_RETURN_IF_ERROR(check_frozen());
    if (!result.frozen) {
      flow::RunOptions run;
      run.runs_dir = options.runs_dir;
      run.run_id = options.run_id;
      run.config = campaign->config.ToJson();
      run.force_stage = options.force_stage;
      run.until_stage = options.until_stage;
      run.ctx = ctx;
      run.ctx.seed = campaign->config.seed;
      run.lock = &lock;
      run.publish = [&](const flow::RunSummary& summary) -> Status {
        const flow::StageOutcome* freeze = summary.Find("freeze");
        if (freeze == nullptr || freeze->action == flow::StageOutcome::Action::kSkipped) {
          return Status::Ok();  // until_stage before freeze: nothing to publish
        }
        UPCAMP_ASSIGN_OR_RETURN(result.freeze, Publish(freeze->output_dir, result.run_dir, ctx));
        result.frozen = true;
        return Status::Ok();
      };
      const auto stages = Stages(*campaign);
      UPCAMP_ASSIGN_OR_RETURN(flow::RunSummary summary, flow::RunFlow(run, stages));
      for (const auto& stage : summary.stages) {
        result.stages.push_back({{"name", stage.name},
                                 {"action", flow::ActionName(stage.action)},
                                 {"rows", stage.rows},
                                 {"seconds", stage.duration_s}});
      }
    }
  }
  if (result.frozen && !options.out.empty()) {
    UPCAMP_ASSIGN_OR_RETURN(std::string csv, ReadFileToString(result.result_path));
    UPCAMP_RETURN_IF_ERROR(WriteFileAtomic(options.out, csv));
  }
  return result;
}

}  // namespace upcamp::campaign
