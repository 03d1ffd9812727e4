// The generated dataset: schema, value ranges, X5 quirks, table invariants, determinism.

#include "synth/generator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "core/civil_time.h"
#include "data/input_stream.h"
#include "data/reference_schema.h"
#include "synth/synth_test_util.h"
#include "testing.h"

namespace upcamp::synth {
namespace {

using ::upcamp::synth::testing::ParseCents;
using ::upcamp::synth::testing::ReadSimpleCsv;
using ::upcamp::synth::testing::SharedDatasetDir;
using ::upcamp::synth::testing::SimpleCsv;
using ::upcamp::synth::testing::SmallParams;
using ::upcamp::testing::ListDir;
using ::upcamp::testing::ReadAll;
using ::upcamp::testing::TempDir;

std::string File(const std::string& name) {
  return SharedDatasetDir() + "/" + name;
}

int64_t Ts(const std::string& text) {
  const auto t = ParseTimestamp(text);
  EXPECT_TRUE(t.has_value()) << "'" << text << "'";
  return t.value_or(0);
}

Status Generate(const SynthParams& p, const std::string& dir, int threads,
                const std::string& compress = "none") {
  Context ctx;
  ctx.threads = threads;
  ctx.quiet = true;
  SynthOutputOptions out;
  out.compress = compress;
  return GenerateDataset(p, out, dir, ctx);
}

std::vector<std::string> SchemaNames(std::string_view table) {
  std::vector<std::string> names;
  for (const Field& f : FindReferenceTable(table)->schema) names.push_back(f.name);
  return names;
}

TEST(SynthGenerator, WritesEveryFileWithTheReferenceHeaders) {
  EXPECT_EQ(ListDir(SharedDatasetDir()),
            (std::vector<std::string>{"campaigns.csv", "catalog.yaml", "client_profile.csv",
                                      "products.csv", "purchases.csv", "receipts.csv", "synth.json",
                                      "truth.csv"}));
  const std::pair<const char*, const std::vector<std::string>*> tables[] = {
      {"client_profile", &kClientProfileColumns},
      {"products", &kProductsColumns},
      {"receipts", &kReceiptsColumns},
      {"purchases", &kPurchasesColumns},
      {"campaigns", &kCampaignsColumns}};
  for (const auto& [name, columns] : tables) {
    // Our constants equal the data layer's reference schema, and the files carry them.
    EXPECT_EQ(*columns, SchemaNames(name)) << name;
    EXPECT_EQ(ReadSimpleCsv(File(std::string(name) + ".csv")).header, *columns) << name;
  }
  EXPECT_EQ(
      ReadSimpleCsv(File("truth.csv")).header,
      (std::vector<std::string>{
          "client_id", "segment", "purchases_sum_control", "purchases_sum_treated",
          "purchases_count_control", "purchases_count_treated", "points_spent_control",
          "points_spent_treated", "uplift_purchases_sum", "uplift_purchases_count", "uplift_profit",
          "purchase_prob_control", "purchase_prob_treated", "uplift_purchase_prob"}));
  // Every row has as many fields as its header.
  for (const char* name : {"client_profile.csv", "products.csv", "receipts.csv", "purchases.csv",
                           "campaigns.csv", "truth.csv"}) {
    const SimpleCsv csv = ReadSimpleCsv(File(name));
    for (const auto& row : csv.rows) ASSERT_EQ(row.size(), csv.header.size()) << name;
  }
}

TEST(SynthGenerator, CatalogAndParametersDescribeTheDataset) {
  const std::string catalog = ReadAll(File("catalog.yaml"));
  for (const char* line : {"tables:\n", "  client_profile: client_profile.csv\n",
                           "  products: products.csv\n", "  receipts: receipts.csv\n",
                           "  purchases: purchases.csv\n", "  campaigns: campaigns.csv\n"}) {
    EXPECT_NE(catalog.find(line), std::string::npos) << line << " in\n" << catalog;
  }
  auto params = SynthParams::FromJson(ReadAll(File("synth.json")), "synth.json");
  ASSERT_TRUE(params.ok()) << params.status().ToString();
  const SynthParams expected = SmallParams();
  EXPECT_EQ(params->seed, expected.seed);
  EXPECT_EQ(params->clients, expected.clients);
  EXPECT_EQ(params->products, expected.products);
  EXPECT_EQ(params->stores, expected.stores);
  EXPECT_EQ(params->history_from, expected.history_from);
  EXPECT_EQ(params->history_to, expected.history_to);
  EXPECT_EQ(params->treatment_date, expected.treatment_date);
  EXPECT_EQ(params->post_days, expected.post_days);
}

TEST(SynthGenerator, ClientProfileLooksLikeTheX5One) {
  const SimpleCsv prof = ReadSimpleCsv(File("client_profile.csv"));
  ASSERT_EQ(prof.rows.size(), 2000u);
  std::set<std::string> ids;
  std::map<std::string, int> genders;
  int outliers = 0, missing_redeem = 0, newcomers = 0;
  const int64_t from = SmallParams().history_from;
  for (const auto& r : prof.rows) {
    EXPECT_EQ(r[0].size(), 10u);
    EXPECT_EQ(r[0].find_first_not_of("0123456789abcdef"), std::string::npos) << r[0];
    ids.insert(r[0]);
    const int64_t issue = Ts(r[1]);
    EXPECT_EQ(r[1].size(), 19u) << "YYYY-MM-DD HH:MM:SS: " << r[1];
    EXPECT_LT(issue, SmallParams().history_end());
    newcomers += issue >= from ? 1 : 0;
    if (r[2].empty()) {
      ++missing_redeem;
    } else {
      EXPECT_GE(Ts(r[2]), issue) << "redeemed before the card was issued";
    }
    const int age = std::stoi(r[3]);
    if (age < 18 || age > 90) ++outliers;
    ++genders[r[4]];
  }
  EXPECT_EQ(ids.size(), prof.rows.size()) << "client ids are unique";
  EXPECT_EQ(genders.size(), 3u);
  for (const char* g : {"F", "M", "U"}) EXPECT_GT(genders[g], 300) << g;
  EXPECT_GT(outliers, 0) << "some ages are nonsense, as in real data";
  EXPECT_LT(outliers, 40) << "but only a small share";
  EXPECT_GT(missing_redeem, 60);
  EXPECT_LT(missing_redeem, 600);
  EXPECT_GT(newcomers, 100);
  EXPECT_LT(newcomers, 500);
}

TEST(SynthGenerator, ProductsHaveAHierarchyAndSomeEmptyFields) {
  const SimpleCsv prod = ReadSimpleCsv(File("products.csv"));
  ASSERT_EQ(prod.rows.size(), 3000u);
  std::set<std::string> ids, levels[4];
  int empty_segment = 0, empty_brand = 0, alcohol = 0, own = 0;
  for (const auto& r : prod.rows) {
    ids.insert(r[0]);
    for (int l = 0; l < 4; ++l) {
      if (!r[1 + l].empty()) levels[l].insert(r[1 + l]);
    }
    empty_segment += r[5].empty();
    empty_brand += r[6].empty();
    EXPECT_TRUE(r[9] == "0" || r[9] == "1");
    EXPECT_TRUE(r[10] == "0" || r[10] == "1");
    own += r[9] == "1";
    alcohol += r[10] == "1";
    if (!r[8].empty()) {
      EXPECT_GT(std::stod(r[8]), 0.0);
    }
  }
  EXPECT_EQ(ids.size(), prod.rows.size());
  EXPECT_EQ(levels[0].size(), 4u);
  EXPECT_GT(levels[1].size(), 20u);
  EXPECT_GT(levels[2].size(), levels[1].size());
  EXPECT_GT(levels[3].size(), levels[2].size());
  EXPECT_GT(empty_segment, 0);
  EXPECT_GT(empty_brand, 100);
  EXPECT_GT(alcohol, 0);
  EXPECT_GT(own, 100);
}

// The receipts table equals purchases grouped by (client_id, transaction_id): receipt-level
// columns repeat on every line, trn_sum_from_iss is the sum of the lines (= purchase_sum),
// trn_sum_from_red the sum of the lines' values (missing when all are missing).
TEST(SynthGenerator, ReceiptsAreThePurchasesGrouped) {
  const SimpleCsv rec = ReadSimpleCsv(File("receipts.csv"));
  const SimpleCsv pur = ReadSimpleCsv(File("purchases.csv"));
  ASSERT_GT(rec.rows.size(), 20000u);
  ASSERT_GT(pur.rows.size(), 4 * rec.rows.size());

  struct Derived {
    std::vector<std::string> receipt_level;  // columns 2..8 of the first line
    int64_t iss = 0, red = 0;
    bool any_red = false;
    size_t lines = 0;
  };
  std::unordered_map<std::string, Derived> derived;  // by client_id + transaction_id
  std::vector<std::string> order;
  const std::set<std::string> products = [] {
    std::set<std::string> s;
    for (const auto& r : ReadSimpleCsv(File("products.csv")).rows) s.insert(r[0]);
    return s;
  }();
  for (const auto& l : pur.rows) {
    const std::string key = l[0] + "/" + l[1];
    auto [it, inserted] = derived.try_emplace(key);
    Derived& d = it->second;
    const std::vector<std::string> level(l.begin() + 2, l.begin() + 9);
    if (inserted) {
      order.push_back(key);
      d.receipt_level = level;
    } else {
      ASSERT_EQ(d.receipt_level, level) << "receipt-level columns repeat on every line: " << key;
    }
    ++d.lines;
    d.iss += ParseCents(l[11]);
    if (!l[12].empty()) {
      d.any_red = true;
      d.red += ParseCents(l[12]);
    }
    ASSERT_TRUE(products.count(l[9])) << "unknown product " << l[9];
    EXPECT_GT(std::stod(l[10]), 0.0);
    EXPECT_GT(ParseCents(l[11]), 0);
  }
  ASSERT_EQ(derived.size(), rec.rows.size()) << "transaction ids are unique per receipt";
  std::unordered_set<std::string> txn;
  int with_red = 0;
  for (size_t i = 0; i < rec.rows.size(); ++i) {
    const auto& r = rec.rows[i];
    const std::string key = r[0] + "/" + r[1];
    ASSERT_EQ(order[i], key) << "same order as the purchases";
    txn.insert(r[1]);
    const Derived& d = derived.at(key);
    EXPECT_EQ(std::vector<std::string>(r.begin() + 2, r.begin() + 9), d.receipt_level);
    EXPECT_EQ(ParseCents(r[9]), d.iss) << key;
    EXPECT_EQ(ParseCents(r[7]), d.iss) << "purchase_sum = sum of the line amounts: " << key;
    if (d.any_red) {
      ++with_red;
      EXPECT_EQ(ParseCents(r[10]), d.red) << key;
    } else {
      EXPECT_EQ(r[10], "") << key;
    }
  }
  EXPECT_EQ(txn.size(), rec.rows.size()) << "transaction_id alone is unique";
  EXPECT_GT(with_red, 0);
  EXPECT_LT(with_red, static_cast<int>(rec.rows.size() / 10)) << "trn_sum_from_red mostly empty";
  const double lines_per_receipt = static_cast<double>(pur.rows.size()) / rec.rows.size();
  EXPECT_GT(lines_per_receipt, 4.5);
  EXPECT_LT(lines_per_receipt, 7.0);
}

TEST(SynthGenerator, ReceiptsFallInTheHistoryAndThePointsHaveTheRightSigns) {
  const SynthParams p = SmallParams();
  const SimpleCsv rec = ReadSimpleCsv(File("receipts.csv"));
  const SimpleCsv prof = ReadSimpleCsv(File("client_profile.csv"));
  std::unordered_map<std::string, std::pair<int64_t, bool>> issue_and_redeemer;
  for (const auto& r : prof.rows) issue_and_redeemer[r[0]] = {Ts(r[1]), !r[2].empty()};

  std::unordered_map<std::string, int64_t> last_receipt;
  std::unordered_map<std::string, int> receipts_per_client;
  std::set<std::string> stores;
  int express_spent = 0, regular_spent = 0, express_received = 0;
  std::vector<int> by_hour(24, 0);
  std::string prev_client;
  int64_t prev_time = 0;
  for (const auto& r : rec.rows) {
    const int64_t t = Ts(r[2]);
    ASSERT_GE(t, p.history_from) << r[2];
    ASSERT_LT(t, p.history_end()) << r[2];
    const auto& [issue, redeemer] = issue_and_redeemer.at(r[0]);
    EXPECT_GE(t, issue) << "no receipt before the card was issued";
    if (r[0] == prev_client) {
      EXPECT_GE(t, prev_time) << "receipts in time order per client";
    }
    prev_client = r[0];
    prev_time = t;
    const double regular_received = std::stod(r[3]), express_rec = std::stod(r[4]);
    const double regular = std::stod(r[5]), express = std::stod(r[6]);
    EXPECT_GE(regular_received, 0.0);
    EXPECT_GE(express_rec, 0.0);
    EXPECT_LE(regular, 0.0);
    EXPECT_LE(express, 0.0);
    // Regular points received are ~1% of the purchase sum.
    EXPECT_NEAR(regular_received, std::stod(r[7]) / 100.0, 0.1 + 1e-9);
    if (regular < 0 || express < 0) {
      EXPECT_TRUE(redeemer) << "a client without first_redeem_date never spends points";
    }
    regular_spent += regular < 0;
    express_spent += express < 0;
    express_received += express_rec > 0;
    ++by_hour[static_cast<size_t>(SecondOfDay(t) / 3600)];
    stores.insert(r[8]);
    last_receipt[r[0]] = std::max(last_receipt[r[0]], t);
    ++receipts_per_client[r[0]];
  }
  const double n = static_cast<double>(rec.rows.size());
  EXPECT_GT(regular_spent / n, 0.005);
  EXPECT_LT(regular_spent / n, 0.15);
  EXPECT_GT(express_spent / n, 0.01);
  EXPECT_GT(express_received / n, 0.02);
  EXPECT_GT(stores.size(), 40u);
  // Shops are mostly closed at night; evenings are busy.
  EXPECT_LT(by_hour[3] * 20, by_hour[18]);
  // About 20 receipts per client over four months, heavy-tailed; some clients churned.
  const double per_client = n / p.clients;
  EXPECT_GT(per_client, 14.0);
  EXPECT_LT(per_client, 28.0);
  int max_receipts = 0, churned = 0;
  for (const auto& [id, count] : receipts_per_client) max_receipts = std::max(max_receipts, count);
  for (const auto& [id, last] : last_receipt)
    churned += p.history_end() - last > 30 * kSecondsPerDay;
  EXPECT_GT(max_receipts, 5 * per_client);
  EXPECT_GT(churned, p.clients / 20);
  EXPECT_LT(churned, p.clients / 3);
}

// Promo sensitivity must be readable from the history (docs/synth.md): clients who collect
// many express points per receipt (promoted products in their baskets) are the ones who start
// redeeming points soon after getting their card.
TEST(SynthGenerator, PromoHuntersShowInExpressPointsAndAnEarlyFirstRedemption) {
  const SimpleCsv rec = ReadSimpleCsv(File("receipts.csv"));
  const SimpleCsv prof = ReadSimpleCsv(File("client_profile.csv"));
  std::unordered_map<std::string, std::pair<double, int>> express;  // sum, receipts
  for (const auto& r : rec.rows) {
    auto& [sum, n] = express[r[0]];
    sum += std::stod(r[4]);
    ++n;
  }
  // (express points per receipt, days from card issue to first redemption) of the clients
  // whose first redemption and at least 5 receipts are on record.
  std::vector<std::pair<double, double>> clients;
  for (const auto& r : prof.rows) {
    const auto it = express.find(r[0]);
    if (r[2].empty() || it == express.end() || it->second.second < 5) continue;
    clients.emplace_back(it->second.first / it->second.second,
                         static_cast<double>(Ts(r[2]) - Ts(r[1])) / 86400.0);
  }
  ASSERT_GT(clients.size(), 400u);
  std::sort(clients.begin(), clients.end());
  const size_t quarter = clients.size() / 4;
  double lag_low = 0, lag_high = 0, express_low = 0, express_high = 0;
  for (size_t i = 0; i < quarter; ++i) {
    express_low += clients[i].first;
    lag_low += clients[i].second;
    express_high += clients[clients.size() - 1 - i].first;
    lag_high += clients[clients.size() - 1 - i].second;
  }
  // Top quarter by express points per receipt vs the bottom quarter.
  EXPECT_GT(express_high, 4.0 * express_low);
  EXPECT_LT(lag_high, 0.7 * lag_low) << "mean lag, days: " << lag_high / quarter << " (promo "
                                     << "hunters) vs " << lag_low / quarter << " (others)";
}

TEST(SynthGenerator, CampaignIsAFiftyFiftyRandomizedTrial) {
  const SimpleCsv camp = ReadSimpleCsv(File("campaigns.csv"));
  ASSERT_EQ(camp.rows.size(), 2000u);
  int treated = 0, treated_with_points = 0, control_with_points = 0;
  for (const auto& r : camp.rows) {
    ASSERT_TRUE(r[1] == "0" || r[1] == "1");
    EXPECT_EQ(r[2], "2019-03-21 00:00:00");
    EXPECT_GE(ParseCents(r[3]), 0);
    EXPECT_GE(std::stoll(r[4]), 0);
    const double points = std::stod(r[5]);
    EXPECT_GE(points, 0.0);
    if (std::stoll(r[4]) == 0) {
      EXPECT_EQ(ParseCents(r[3]), 0);
      EXPECT_EQ(points, 0.0);
    }
    treated += r[1] == "1";
    (r[1] == "1" ? treated_with_points : control_with_points) += points > 0;
  }
  // 4 standard errors of a fair coin over 2000 clients: +-89.
  EXPECT_NEAR(treated, 1000, 89);
  EXPECT_GT(treated_with_points, 3 * control_with_points) << "the offer's points get spent";
}

TEST(SynthGenerator, DeterministicAcrossRunsAndThreadCounts) {
  const SynthParams p = SmallParams(700, 99);
  TempDir a, b, c;
  ASSERT_OK(Generate(p, a.path(), 1));
  ASSERT_OK(Generate(p, b.path(), 2));
  ASSERT_OK(Generate(p, c.path(), 3));
  for (const auto& name : ListDir(a.path())) {
    const std::string bytes = ReadAll(a.File(name));
    EXPECT_FALSE(bytes.empty()) << name;
    EXPECT_EQ(bytes, ReadAll(b.File(name))) << name << ": 1 vs 2 threads";
    EXPECT_EQ(bytes, ReadAll(c.File(name))) << name << ": 1 vs 3 threads";
  }
  // A different seed gives different data everywhere.
  SynthParams q = p;
  q.seed = 100;
  TempDir d;
  ASSERT_OK(Generate(q, d.path(), 2));
  for (const char* name : {"client_profile.csv", "products.csv", "receipts.csv", "purchases.csv",
                           "campaigns.csv", "truth.csv"}) {
    EXPECT_NE(ReadAll(a.File(name)), ReadAll(d.File(name))) << name;
  }
}

TEST(SynthGenerator, MoreClientsKeepTheFirstClientsTraits) {
  // Client i's traits and outcomes depend only on (seed, i): a larger dataset starts with the
  // same clients with the same profiles, campaign rows and truth.
  TempDir a, b;
  ASSERT_OK(Generate(SmallParams(300, 5), a.path(), 2));
  ASSERT_OK(Generate(SmallParams(600, 5), b.path(), 2));
  for (const char* name : {"client_profile.csv", "truth.csv", "campaigns.csv"}) {
    const SimpleCsv small = ReadSimpleCsv(a.File(name)), big = ReadSimpleCsv(b.File(name));
    ASSERT_EQ(big.rows.size(), 600u);
    for (size_t i = 0; i < small.rows.size(); ++i) EXPECT_EQ(small.rows[i], big.rows[i]) << name;
  }
}

TEST(SynthGenerator, CompressedTablesHoldTheSameText) {
  const SynthParams p = SmallParams(300, 3);
  TempDir plain, zst, gz;
  ASSERT_OK(Generate(p, plain.path(), 2));
  ASSERT_OK(Generate(p, zst.path(), 2, "zst"));
  ASSERT_OK(Generate(p, gz.path(), 2, "gz"));
  EXPECT_NE(ReadAll(zst.File("catalog.yaml")).find("purchases: purchases.csv.zst"),
            std::string::npos);
  EXPECT_NE(ReadAll(gz.File("catalog.yaml")).find("receipts: receipts.csv.gz"), std::string::npos);
  for (const auto& [dir, ext] : {std::pair{&zst, ".zst"}, std::pair{&gz, ".gz"}}) {
    for (const char* table : {"receipts.csv", "purchases.csv"}) {
      const std::string path = dir->File(std::string(table) + ext);
      auto in = InputStream::Open(path);
      ASSERT_TRUE(in.ok()) << in.status().ToString();
      std::string text;
      char buf[1 << 16];
      while (true) {
        auto n = (*in)->Read(buf, sizeof buf);
        ASSERT_TRUE(n.ok()) << n.status().ToString();
        if (*n == 0) break;
        text.append(buf, *n);
      }
      const std::string expected = ReadAll(plain.File(table));
      EXPECT_EQ(text, expected) << path;
      EXPECT_LT(ReadAll(path).size(), expected.size() / 2) << path;
    }
  }
}

TEST(SynthGenerator, IntegerIdsAndMovedDates) {
  SynthParams p = SmallParams(200, 11);
  p.id_format = IdFormat::kInt;
  p.history_from = *ParseDate("2020-01-01");
  p.history_to = *ParseDate("2020-02-29");
  p.treatment_date = *ParseDate("2020-03-05");
  TempDir dir;
  ASSERT_OK(Generate(p, dir.path(), 2));
  const SimpleCsv rec = ReadSimpleCsv(dir.File("receipts.csv"));
  ASSERT_FALSE(rec.rows.empty());
  for (const auto& r : rec.rows) {
    EXPECT_EQ(r[0].find_first_not_of("0123456789"), std::string::npos) << r[0];
    EXPECT_NE(r[0][0], '0');
    EXPECT_GE(Ts(r[2]), p.history_from);
    EXPECT_LT(Ts(r[2]), p.history_end());
  }
  for (const auto& r : ReadSimpleCsv(dir.File("campaigns.csv")).rows) {
    EXPECT_EQ(r[2], "2020-03-05 00:00:00");
  }
}

TEST(SynthGenerator, BadParametersAreUsageErrors) {
  TempDir dir;
  SynthParams p = SmallParams(10);
  p.treatment_date = p.history_to;
  Status st = Generate(p, dir.path(), 1);
  EXPECT_EQ(st.code(), ErrorCode::kUsage);
  EXPECT_NE(st.message().find("--treatment-date"), std::string::npos) << st.message();
  p = SmallParams(0);
  st = Generate(p, dir.path(), 1);
  EXPECT_EQ(st.code(), ErrorCode::kUsage);
  EXPECT_NE(st.message().find("--clients"), std::string::npos) << st.message();
  st = Generate(SmallParams(10), dir.path(), 1, "bz2");
  EXPECT_EQ(st.code(), ErrorCode::kUsage);
  EXPECT_TRUE(ListDir(dir.path()).empty()) << "nothing written on a usage error";
}

}  // namespace
}  // namespace upcamp::synth
