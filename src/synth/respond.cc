#include "synth/respond.h"

#include <algorithm>
#include <vector>

#include "core/file_util.h"
#include "core/parallel.h"
#include "core/random.h"
#include "data/csv_reader.h"
#include "data/csv_writer.h"
#include "synth/behaviour.h"
#include "synth/format.h"

namespace upcamp::synth {
namespace {

constexpr size_t kBlockRows = 4096;

struct Assigned {
  uint64_t index;
  bool offer;
};

}  // namespace

Status SimulateResponses(const std::string& data_dir, const std::string& assignment_path,
                         const std::string& out_path, const Context& ctx, RespondSummary* summary,
                         uint64_t draw) {
  const std::string json_path = data_dir + "/synth.json";
  if (!FileExists(json_path)) {
    return Status::Data("{}: not found; --data must be a folder written by `upcamp synth`",
                        json_path);
  }
  UPCAMP_ASSIGN_OR_RETURN(const std::string json, ReadFileToString(json_path));
  UPCAMP_ASSIGN_OR_RETURN(const SynthParams params, SynthParams::FromJson(json, json_path));
  const BehaviourModel model(params);

  CsvReadOptions read;
  read.schema = {{"client_id", DataType::kString}, {"treatment", DataType::kString}};
  read.columns = {"client_id", "treatment"};
  read.threads = std::max(1, ctx.threads);
  UPCAMP_ASSIGN_OR_RETURN(const Table table, ReadCsv(assignment_path, read));
  const Column& ids = table.column(0);
  const Column& treatments = table.column(1);

  // Validate every row first; the line numbers assume one line per record (header = line 1).
  std::vector<Assigned> rows(table.num_rows());
  std::vector<uint32_t> seen_on_row(static_cast<size_t>(params.clients), 0);
  const int32_t offer_code = treatments.dictionary().Find("offer");
  const int32_t no_offer_code = treatments.dictionary().Find("no_offer");
  uint64_t offered = 0;
  for (size_t r = 0; r < table.num_rows(); ++r) {
    const size_t line = r + 2;
    const int32_t id_code = ids.codes()[r];
    if (id_code == kNullCode) {
      return Status::Data("{}:{}: client_id is empty", assignment_path, line);
    }
    const std::string_view id = ids.dictionary().Get(id_code);
    const std::optional<uint64_t> index = model.ParseClientId(id);
    if (!index) {
      return Status::Data(
          "{}:{}: unknown client_id '{}': not a client of the synthetic dataset in {} ({} "
          "clients, {} ids)",
          assignment_path, line, id, data_dir, params.clients, IdFormatName(params.id_format));
    }
    const int32_t t = treatments.codes()[r];
    if (t == kNullCode || (t != offer_code && t != no_offer_code)) {
      return Status::Data("{}:{}: treatment must be offer or no_offer, got '{}'", assignment_path,
                          line,
                          t == kNullCode ? std::string_view() : treatments.dictionary().Get(t));
    }
    uint32_t& seen = seen_on_row[*index];
    if (seen != 0) {
      return Status::Data("{}:{}: client_id '{}' appears twice (first on line {})", assignment_path,
                          line, id, seen + 1);
    }
    seen = static_cast<uint32_t>(r + 1);
    rows[r] = {*index, t == offer_code};
    offered += t == offer_code ? 1 : 0;
  }
  seen_on_row = {};

  std::vector<std::string> header(std::begin(kResponseColumns), std::end(kResponseColumns));
  UPCAMP_ASSIGN_OR_RETURN(std::unique_ptr<CsvWriter> writer, CsvWriter::Open(out_path, header));
  const size_t n_blocks = (rows.size() + kBlockRows - 1) / kBlockRows;
  std::vector<std::string> texts(n_blocks);
  ParallelFor(std::max(1, ctx.threads), n_blocks, [&](size_t b, int /*worker*/) {
    std::string& text = texts[b];
    char row[128];
    for (size_t r = b * kBlockRows; r < std::min(rows.size(), (b + 1) * kBlockRows); ++r) {
      const ClientTraits t = model.Traits(rows[r].index);
      const uint64_t seed = model.ClientSeed(Purpose::kRespond, rows[r].index);
      Rng rng(draw == 0 ? seed : MixSeed(seed, draw));
      const Outcome o = model.Sample(t, rows[r].offer, rng);
      char* p = model.AppendClientId(rows[r].index, row);
      *p++ = ',';
      p = AppendCents(o.purchases_sum_cents, p);
      *p++ = ',';
      p = AppendInt(o.purchases_count, p);
      *p++ = ',';
      p = AppendPoints(o.points_spent, p);
      *p++ = '\n';
      text.append(row, static_cast<size_t>(p - row));
    }
  });
  for (const std::string& text : texts) UPCAMP_RETURN_IF_ERROR(writer->WriteRaw(text));
  UPCAMP_RETURN_IF_ERROR(writer->Commit());
  if (summary != nullptr) {
    summary->clients = rows.size();
    summary->offered = offered;
  }
  return Status::Ok();
}

}  // namespace upcamp::synth
