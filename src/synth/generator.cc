#include "synth/generator.h"

#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <memory>
#include <optional>
#include <thread>

#include "core/civil_time.h"
#include "core/file_util.h"
#include "core/hash.h"
#include "core/log.h"
#include "core/parallel.h"
#include "data/csv_writer.h"
#include "synth/behaviour.h"
#include "synth/format.h"
#include "synth/history.h"

namespace upcamp::synth {

const std::vector<std::string> kClientProfileColumns = {"client_id", "first_issue_date",
                                                        "first_redeem_date", "age", "gender"};
const std::vector<std::string> kProductsColumns = {
    "product_id", "level_1",   "level_2", "level_3",          "level_4",   "segment_id",
    "brand_id",   "vendor_id", "netto",   "is_own_trademark", "is_alcohol"};
const std::vector<std::string> kReceiptsColumns = {"client_id",
                                                   "transaction_id",
                                                   "transaction_datetime",
                                                   "regular_points_received",
                                                   "express_points_received",
                                                   "regular_points_spent",
                                                   "express_points_spent",
                                                   "purchase_sum",
                                                   "store_id",
                                                   "trn_sum_from_iss",
                                                   "trn_sum_from_red"};
const std::vector<std::string> kPurchasesColumns = {"client_id",
                                                    "transaction_id",
                                                    "transaction_datetime",
                                                    "regular_points_received",
                                                    "express_points_received",
                                                    "regular_points_spent",
                                                    "express_points_spent",
                                                    "purchase_sum",
                                                    "store_id",
                                                    "product_id",
                                                    "product_quantity",
                                                    "trn_sum_from_iss",
                                                    "trn_sum_from_red"};
const std::vector<std::string> kCampaignsColumns = {"client_id",
                                                    "treatment_flg",
                                                    "treatment_date",
                                                    "target_purchases_sum",
                                                    "target_purchases_count",
                                                    "target_campaign_points_spent"};
const std::vector<std::string> kTruthColumns = {"client_id",
                                                "segment",
                                                "purchases_sum_control",
                                                "purchases_sum_treated",
                                                "purchases_count_control",
                                                "purchases_count_treated",
                                                "points_spent_control",
                                                "points_spent_treated",
                                                "uplift_purchases_sum",
                                                "uplift_purchases_count",
                                                "uplift_profit",
                                                "purchase_prob_control",
                                                "purchase_prob_treated",
                                                "uplift_purchase_prob"};

Status SynthOutputOptions::Validate() const {
  if (compress != "none" && compress != "gz" && compress != "zst") {
    return Status::Usage("--compress must be none, gz or zst, got '{}'", compress);
  }
  return Status::Ok();
}

namespace {

constexpr uint64_t kBlockClients = 256;

// The formatted rows of one block of clients, one buffer per table.
struct BlockOutput {
  std::string profile, receipts, purchases, campaigns, truth;
  uint64_t n_receipts = 0, n_lines = 0, n_treated = 0;

  void Clear() {
    profile.clear();
    receipts.clear();
    purchases.clear();
    campaigns.clear();
    truth.clear();
    n_receipts = n_lines = n_treated = 0;
  }
};

class BlockGenerator {
 public:
  BlockGenerator(const BehaviourModel& model)
      : model_(model),
        txn_ids_(MixSeed(model.params().seed, Hash64("synth/id/transaction")),
                 model.params().clients <= (int64_t{1} << (40 - kReceiptSeqBits)) ? 40 : 48) {
    char* e = FormatTimestampTo(model.params().treatment_date, treatment_date_);
    treatment_date_len_ = static_cast<size_t>(e - treatment_date_);
  }

  void Generate(uint64_t begin, uint64_t end, BlockOutput* out) const {
    ClientHistory history;
    for (uint64_t i = begin; i < end; ++i) Client(i, &history, out);
  }

 private:
  static void Put(std::string& s, const char* begin, const char* end) {
    s.append(begin, static_cast<size_t>(end - begin));
  }

  void Client(uint64_t index, ClientHistory* history, BlockOutput* out) const {
    const ClientTraits t = model_.Traits(index);
    Rng history_rng(model_.ClientSeed(Purpose::kHistory, index));
    SimulateHistory(model_, t, history_rng, history);

    char id[24];
    char* id_end = model_.AppendClientId(index, id);
    const auto id_len = static_cast<size_t>(id_end - id);
    char row[512];
    char* p;

    // client_profile
    p = std::copy(id, id_end, row);
    *p++ = ',';
    p = FormatTimestampTo(t.issue_time, p);
    *p++ = ',';
    if (history->first_redeem_time >= 0) p = FormatTimestampTo(history->first_redeem_time, p);
    *p++ = ',';
    p = AppendInt(t.recorded_age, p);
    *p++ = ',';
    *p++ = t.gender;
    *p++ = '\n';
    Put(out->profile, row, p);

    // receipts and purchases share the receipt-level prefix.
    for (size_t r = 0; r < history->receipts.size(); ++r) {
      const ReceiptRecord& rec = history->receipts[r];
      char prefix[256];
      char* q = std::copy(id, id + id_len, prefix);
      *q++ = ',';
      q = AppendHex(txn_ids_.Encode((index << kReceiptSeqBits) | r), txn_ids_.hex_digits(), q);
      *q++ = ',';
      q = FormatTimestampTo(rec.time, q);
      *q++ = ',';
      q = AppendScaled(rec.regular_received_tenths, 1, q);
      *q++ = ',';
      q = AppendPoints(rec.express_received, q);
      *q++ = ',';
      q = AppendPoints(rec.regular_spent, q);
      *q++ = ',';
      q = AppendPoints(rec.express_spent, q);
      *q++ = ',';
      q = AppendCents(rec.sum_cents, q);
      *q++ = ',';
      q = AppendHex(model_.world().StoreCode(rec.store), 10, q);
      *q++ = ',';
      const auto prefix_len = static_cast<size_t>(q - prefix);

      p = std::copy(prefix, q, row);
      p = AppendCents(rec.sum_cents, p);
      *p++ = ',';
      if (rec.red_cents >= 0) p = AppendCents(rec.red_cents, p);
      *p++ = '\n';
      Put(out->receipts, row, p);

      for (uint32_t l = rec.first_line; l < rec.first_line + rec.n_lines; ++l) {
        const LineRecord& line = history->lines[l];
        p = std::copy(prefix, prefix + prefix_len, row);
        p = AppendHex(model_.world().ProductCode(line.product), 10, p);
        *p++ = ',';
        p = AppendScaled(line.quantity_milli, 3, p);
        *p++ = ',';
        p = AppendCents(line.amount_cents, p);
        *p++ = ',';
        if (line.red_cents >= 0) p = AppendCents(line.red_cents, p);
        *p++ = '\n';
        Put(out->purchases, row, p);
      }
      out->n_lines += rec.n_lines;
    }
    out->n_receipts += history->receipts.size();

    // campaigns: the past 50/50 campaign and its sampled outcomes.
    const bool treated = model_.CampaignTreated(index);
    Rng outcome_rng(model_.ClientSeed(Purpose::kCampaignOutcome, index));
    const Outcome o = model_.Sample(t, treated, outcome_rng);
    out->n_treated += treated ? 1 : 0;
    p = std::copy(id, id_end, row);
    *p++ = ',';
    *p++ = treated ? '1' : '0';
    *p++ = ',';
    p = std::copy(treatment_date_, treatment_date_ + treatment_date_len_, p);
    *p++ = ',';
    p = AppendCents(o.purchases_sum_cents, p);
    *p++ = ',';
    p = AppendInt(o.purchases_count, p);
    *p++ = ',';
    p = AppendPoints(o.points_spent, p);
    *p++ = '\n';
    Put(out->campaigns, row, p);

    // truth: exact expectations under both arms.
    const Expectation e = model_.Expected(t);
    p = std::copy(id, id_end, row);
    *p++ = ',';
    const char* seg = SegmentName(e.segment);
    p = std::copy(seg, seg + std::strlen(seg), p);
    for (const double v :
         {e.control.purchases_sum, e.treated.purchases_sum, e.control.purchases_count,
          e.treated.purchases_count, e.control.points_spent, e.treated.points_spent, e.UpliftSum(),
          e.UpliftCount(), e.UpliftProfit(), e.control.purchase_prob, e.treated.purchase_prob,
          e.UpliftPurchaseProb()}) {
      *p++ = ',';
      p = AppendRounded4(v, p);
    }
    *p++ = '\n';
    Put(out->truth, row, p);
  }

  const BehaviourModel& model_;
  IdCodec txn_ids_;
  char treatment_date_[24];
  size_t treatment_date_len_ = 0;
};

struct TableFile {
  std::string name;  // relative to the folder
  std::unique_ptr<CsvWriter> writer;
};

Result<TableFile> OpenTable(const std::string& dir, std::string name,
                            const std::vector<std::string>& header) {
  TableFile f;
  f.name = std::move(name);
  UPCAMP_ASSIGN_OR_RETURN(f.writer, CsvWriter::Open(dir + "/" + f.name, header));
  return f;
}

uint64_t FileSize(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
}

}  // namespace

Status GenerateDataset(const SynthParams& params, const SynthOutputOptions& output,
                       const std::string& out_dir, const Context& ctx, SynthSummary* summary) {
  UPCAMP_RETURN_IF_ERROR(params.Validate());
  UPCAMP_RETURN_IF_ERROR(output.Validate());
  const auto started = std::chrono::steady_clock::now();
  UPCAMP_RETURN_IF_ERROR(MakeDirectories(out_dir));

  const BehaviourModel model(params);
  const BlockGenerator generator(model);
  const std::string ext = output.compress == "none" ? "" : "." + output.compress;

  // client_profile, receipts, purchases, campaigns, truth: written block by block.
  enum { kProfile, kReceipts, kPurchases, kCampaigns, kTruth, kNumTables };
  std::vector<TableFile> tables;
  {
    const std::pair<std::string, const std::vector<std::string>*> specs[kNumTables] = {
        {"client_profile.csv", &kClientProfileColumns},
        {"receipts.csv" + ext, &kReceiptsColumns},
        {"purchases.csv" + ext, &kPurchasesColumns},
        {"campaigns.csv", &kCampaignsColumns},
        {"truth.csv", &kTruthColumns}};
    for (const auto& [name, header] : specs) {
      UPCAMP_ASSIGN_OR_RETURN(TableFile f, OpenTable(out_dir, name, *header));
      tables.push_back(std::move(f));
    }
  }

  const auto n_clients = static_cast<uint64_t>(params.clients);
  const uint64_t n_blocks = (n_clients + kBlockClients - 1) / kBlockClients;
  const int threads = std::max(1, ctx.threads);
  const uint64_t wave = static_cast<uint64_t>(4 * threads);
  std::vector<BlockOutput> buffers[2];
  buffers[0].resize(wave);
  buffers[1].resize(wave);

  uint64_t n_receipts = 0, n_lines = 0, n_treated = 0;
  Status write_status;
  std::thread writer;
  const auto write_wave = [&](const std::vector<BlockOutput>* blocks, size_t count) {
    for (size_t b = 0; b < count && write_status.ok(); ++b) {
      const BlockOutput& out = (*blocks)[b];
      const std::string* texts[kNumTables] = {&out.profile, &out.receipts, &out.purchases,
                                              &out.campaigns, &out.truth};
      for (int k = 0; k < kNumTables && write_status.ok(); ++k) {
        write_status = tables[static_cast<size_t>(k)].writer->WriteRaw(*texts[k]);
      }
    }
  };

  std::optional<Progress> progress;
  if (!ctx.quiet) progress.emplace("synth: clients", n_clients, "clients");
  Status status;
  for (uint64_t first = 0, w = 0; first < n_blocks && status.ok(); first += wave, ++w) {
    std::vector<BlockOutput>& blocks = buffers[w % 2];
    const uint64_t count = std::min(wave, n_blocks - first);
    ParallelFor(threads, count, [&](size_t task, int /*worker*/) {
      BlockOutput& out = blocks[task];
      out.Clear();
      const uint64_t begin = (first + task) * kBlockClients;
      const uint64_t end = std::min(n_clients, begin + kBlockClients);
      generator.Generate(begin, end, &out);
      if (progress) progress->Add(end - begin);
    });
    for (uint64_t b = 0; b < count; ++b) {
      n_receipts += blocks[b].n_receipts;
      n_lines += blocks[b].n_lines;
      n_treated += blocks[b].n_treated;
    }
    // Write this wave while the next one is generated.
    if (writer.joinable()) writer.join();
    status = write_status;
    if (status.ok()) writer = std::thread(write_wave, &blocks, static_cast<size_t>(count));
  }
  if (writer.joinable()) writer.join();
  if (status.ok()) status = write_status;
  UPCAMP_RETURN_IF_ERROR(status);
  if (progress) progress->Finish();

  // Commit: small reference tables first, synth.json last (its presence marks a complete set).
  UPCAMP_RETURN_IF_ERROR(WriteFileAtomic(out_dir + "/products.csv", model.world().ProductsCsv()));
  for (TableFile& f : tables) UPCAMP_RETURN_IF_ERROR(f.writer->Commit());
  const std::string catalog = fmt::format(
      "# upcamp synth dataset (seed {}, {} clients); paths are relative to this file.\n"
      "tables:\n"
      "  client_profile: {}\n"
      "  products: products.csv\n"
      "  receipts: {}\n"
      "  purchases: {}\n"
      "  campaigns: {}\n",
      params.seed, params.clients, tables[kProfile].name, tables[kReceipts].name,
      tables[kPurchases].name, tables[kCampaigns].name);
  UPCAMP_RETURN_IF_ERROR(WriteFileAtomic(out_dir + "/catalog.yaml", catalog));
  UPCAMP_RETURN_IF_ERROR(WriteFileAtomic(out_dir + "/synth.json", params.ToJson()));

  if (summary != nullptr) {
    summary->clients = n_clients;
    summary->receipts = n_receipts;
    summary->purchase_lines = n_lines;
    summary->products = static_cast<uint64_t>(params.products);
    summary->stores = static_cast<uint64_t>(params.stores);
    summary->treated = n_treated;
    summary->files.clear();
    std::vector<std::string> names = {"products.csv"};
    for (const TableFile& f : tables) names.push_back(f.name);
    names.push_back("catalog.yaml");
    names.push_back("synth.json");
    for (const auto& name : names) {
      summary->files.emplace_back(name, FileSize(out_dir + "/" + name));
    }
    summary->seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  }
  return Status::Ok();
}

}  // namespace upcamp::synth
