#include "synth/history.h"

#include <algorithm>
#include <cmath>

namespace upcamp::synth {
namespace {

constexpr double kBurstShape = 4.0;  // week-to-week variation of the rate (CV 0.5)
constexpr double kRepertoireShare = 0.6;
constexpr size_t kMaxReceipts = (size_t{1} << kReceiptSeqBits) - 1;

uint32_t ChooseStore(const BehaviourModel& model, const ClientTraits& t, Rng& rng) {
  const double u = rng.Uniform();
  if (u < t.loyalty || t.n_other_stores == 0) {
    if (u < 0.97 || t.n_other_stores != 0) return t.favourite_store;
    return model.world().SampleStoreInRegion(t.region, rng);  // an occasional detour
  }
  return t.other_stores[rng.UniformInt(static_cast<uint64_t>(t.n_other_stores))];
}

uint32_t ChooseProduct(const BehaviourModel& model, const ClientTraits& t, Rng& rng) {
  if (rng.Uniform() < kRepertoireShare) {
    const double u = rng.Uniform() * t.repertoire_cdf[t.n_repertoire - 1];
    const double* end = t.repertoire_cdf + t.n_repertoire;
    const double* it = std::upper_bound(t.repertoire_cdf, end, u);
    return t.repertoire[std::min<ptrdiff_t>(it - t.repertoire_cdf, t.n_repertoire - 1)];
  }
  uint32_t p = model.world().SampleProduct(rng);
  if (!t.buys_alcohol && model.world().products()[p].alcohol) p = model.world().SampleProduct(rng);
  return p;
}

// Fills the receipt's product lines; a product drawn twice becomes one line with more quantity.
void FillBasket(const BehaviourModel& model, const ClientTraits& t, Rng& rng, ReceiptRecord& r,
                std::vector<LineRecord>& lines) {
  const auto& products = model.world().products();
  const double extra = rng.Gamma(1.5) / 1.5 * (t.mean_lines - 1.0);
  const int64_t n = 1 + rng.Poisson(extra);
  r.first_line = static_cast<uint32_t>(lines.size());
  r.sum_cents = 0;
  for (int64_t i = 0; i < n; ++i) {
    const uint32_t p = ChooseProduct(model, t, rng);
    const Product& prod = products[p];
    const int64_t qty = SampleQuantityMilli(prod, rng);
    const int64_t amount = std::max<int64_t>(1, (prod.price_cents * qty + 500) / 1000);
    r.sum_cents += amount;
    LineRecord* same = nullptr;
    for (size_t j = r.first_line; j < lines.size(); ++j) {
      if (lines[j].product == p) {
        same = &lines[j];
        break;
      }
    }
    if (same != nullptr) {
      same->quantity_milli += qty;
      same->amount_cents += amount;
    } else {
      lines.push_back({p, qty, amount, -1});
    }
  }
  r.n_lines = static_cast<uint32_t>(lines.size() - r.first_line);
}

}  // namespace

void SimulateHistory(const BehaviourModel& model, const ClientTraits& t, Rng& rng,
                     ClientHistory* out) {
  out->Clear();
  const SynthParams& params = model.params();
  const int64_t start = std::max(params.history_from, t.issue_time);
  const int64_t end =
      t.churned ? std::min(t.churn_time, params.history_end()) : params.history_end();
  if (start >= end) return;

  // Receipt times: a Poisson count per day; weekly bursts make the process overdispersed.
  std::vector<ReceiptRecord>& receipts = out->receipts;
  const int64_t first_day = DayIndex(start), last_day = DayIndex(end - 1);
  const int64_t history_day0 = DayIndex(params.history_from);
  int64_t week = -1;
  double burst = 1.0;
  double trend = model.TrendFactor(t, static_cast<double>(first_day * kSecondsPerDay) + 43200.0);
  const double trend_step = model.TrendDailyStep(t);
  for (int64_t d = first_day; d <= last_day; ++d, trend *= trend_step) {
    const int64_t w = (d - history_day0) / 7;
    if (w != week) {
      week = w;
      burst = rng.Gamma(kBurstShape) / kBurstShape;
    }
    const int64_t day_start = d * kSecondsPerDay;
    const size_t day_begin = receipts.size();
    if (t.newcomer && DayIndex(t.issue_time) == d && t.issue_time >= start) {
      // The card is issued at the checkout: the first receipt.
      ReceiptRecord r;
      r.time = t.issue_time;
      r.store = t.favourite_store;
      receipts.push_back(r);
    }
    const double lambda =
        t.rate * t.weekday[Weekday(day_start)] * model.DayFactor(d) * trend * burst;
    const int64_t n = rng.Poisson(lambda);
    for (int64_t i = 0; i < n; ++i) {
      ReceiptRecord r;
      r.store = ChooseStore(model, t, rng);
      r.time = day_start + model.SampleSecondOfDay(t, r.store, rng);
      if (r.time >= start && r.time < end) receipts.push_back(r);
    }
    std::sort(receipts.begin() + static_cast<ptrdiff_t>(day_begin), receipts.end(),
              [](const ReceiptRecord& a, const ReceiptRecord& b) { return a.time < b.time; });
    if (receipts.size() >= kMaxReceipts) {
      receipts.resize(kMaxReceipts);
      break;
    }
  }

  // Baskets and points, in time order (the regular points balance carries over).
  double balance = t.initial_balance;
  const double s = t.promo;
  // Express points come with promoted products: 10-30 points per promo line, and
  // promo-sensitive clients put many more of them in the basket. Counting lines rather than
  // receipts lets a four-month history show s even for clients with few receipts.
  const double p_promo_line = 0.01 + 0.4 * s;
  const double p_express_spent = 0.01 + 0.5 * std::pow(s, 1.2);
  int64_t first_spend = -1;
  for (ReceiptRecord& r : receipts) {
    FillBasket(model, t, rng, r, out->lines);
    r.regular_received_tenths = r.sum_cents / 1000;  // 1% of the sum, one decimal
    for (uint32_t j = r.first_line; j < r.first_line + r.n_lines; ++j) {
      if (rng.Uniform() < p_promo_line) {
        r.express_received += 10 * (1 + out->lines[j].product % 3);
      }
    }
    const bool can_redeem = t.redeemer && r.time >= t.redeem_from;
    const double u_express = rng.Uniform();
    const double u_regular = rng.Uniform();
    if (can_redeem && u_express < p_express_spent) {
      const int64_t want = 10 * (1 + rng.Poisson(1.0 + 6.0 * s));
      const int64_t cap = r.sum_cents / 2000 * 10;  // at most half the receipt, in tens
      if (cap >= 10) r.express_spent = -std::min(want, cap);
    }
    if (can_redeem && balance >= 20.0 && u_regular < t.regular_spend_rate) {
      const auto want = static_cast<int64_t>(balance * rng.Uniform(0.4, 1.0));
      const int64_t cap = r.sum_cents * 9 / 1000;  // at most 90% of the receipt
      const int64_t spent = std::min(want, cap);
      if (spent >= 1) {
        r.regular_spent = -spent;
        balance -= static_cast<double>(spent);
        // Part of the receipts paid with points also record the redeemed amount per line:
        // zero on every line but the largest.
        if (rng.Bernoulli(0.4)) {
          uint32_t largest = r.first_line;
          for (uint32_t j = r.first_line; j < r.first_line + r.n_lines; ++j) {
            out->lines[j].red_cents = 0;
            if (out->lines[j].amount_cents > out->lines[largest].amount_cents) largest = j;
          }
          out->lines[largest].red_cents = std::min(out->lines[largest].amount_cents, spent * 100);
          r.red_cents = out->lines[largest].red_cents;
        }
      }
    }
    balance += static_cast<double>(r.regular_received_tenths) / 10.0;
    if (first_spend < 0 && (r.express_spent < 0 || r.regular_spent < 0)) first_spend = r.time;
  }

  if (t.redeemer) {
    if (t.redeem_from < params.history_from) {
      out->first_redeem_time = t.redeem_from;  // redeemed before the history began
    } else {
      out->first_redeem_time = first_spend;  // the first redemption we see, or none yet
    }
  }
}

}  // namespace upcamp::synth
