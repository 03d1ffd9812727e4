#include "synth/behaviour.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "core/hash.h"

namespace upcamp::synth {
namespace {

constexpr double kPeriodShape = 3.0;  // Gamma shape of the period-level noise g
constexpr double kValueShape = 2.0;   // Gamma shape of one receipt's value (CV ~0.7)

uint64_t Key(uint64_t seed, std::string_view purpose) {
  return MixSeed(seed, Hash64(purpose, 0x73796e7468ULL));
}

double Sigmoid(double x) {
  return 1.0 / (1.0 + std::exp(-x));
}

// Ages that real loyalty data carries for a small share of clients (typos, birth years,
// placeholder values).
constexpr int kAgeOutliers[] = {-7491, -1, 0, 0, 1, 2, 5, 7, 99, 118, 212, 331, 999, 1901};

}  // namespace

const char* SegmentName(Segment s) {
  switch (s) {
    case Segment::kPersuadable:
      return "persuadable";
    case Segment::kSureThing:
      return "sure_thing";
    case Segment::kLostCause:
      return "lost_cause";
    case Segment::kSleepingDog:
      return "sleeping_dog";
  }
  return "?";
}

BehaviourModel::BehaviourModel(const SynthParams& params)
    : params_(params),
      world_(World::Make(params)),
      client_ids_(Key(params.seed, "id/client"), 40),
      purpose_keys_{Key(params.seed, "traits"), Key(params.seed, "history"),
                    Key(params.seed, "campaign_outcome"), Key(params.seed, "respond")} {
  history_len_ = static_cast<double>(params.history_end() - params.history_from);
  history_mid_ = static_cast<double>(params.history_from) + 0.5 * history_len_;
  first_day_ = DayIndex(params.history_from);
  const int64_t last_day = DayIndex(params.treatment_date) + params.post_days;
  for (int64_t d = first_day_; d < last_day; ++d) day_factor_.push_back(HolidayFactor(d));
}

uint64_t BehaviourModel::ClientSeed(Purpose purpose, uint64_t index) const {
  return MixSeed(purpose_keys_[static_cast<int>(purpose)], index);
}

char* BehaviourModel::AppendClientId(uint64_t index, char* out) const {
  const uint64_t code = client_ids_.Encode(index);
  if (params_.id_format == IdFormat::kHex) return AppendHex(code, 10, out);
  return std::to_chars(out, out + 20, code).ptr;
}

std::optional<uint64_t> BehaviourModel::ParseClientId(std::string_view text) const {
  const std::optional<uint64_t> code =
      params_.id_format == IdFormat::kHex ? ParseHex(text, 10) : ParseDecimal(text);
  if (!code || *code >= (uint64_t{1} << 40)) return std::nullopt;
  const uint64_t index = client_ids_.Decode(*code);
  if (index >= static_cast<uint64_t>(params_.clients)) return std::nullopt;
  // Decimal ids must be written canonically (no leading zeros) to be the same client.
  if (params_.id_format == IdFormat::kInt && text.size() > 1 && text[0] == '0') return std::nullopt;
  return index;
}

bool BehaviourModel::CampaignTreated(uint64_t index) const {
  char buf[24];
  char* end = AppendClientId(index, buf);
  const uint64_t h = KeyedHash(params_.seed, "synth/campaign",
                               std::string_view(buf, static_cast<size_t>(end - buf)));
  return UnitInterval(h) < 0.5;
}

ClientTraits BehaviourModel::Traits(uint64_t index) const {
  Rng rng(ClientSeed(Purpose::kTraits, index));
  ClientTraits t;
  t.index = index;
  const double day = static_cast<double>(kSecondsPerDay);
  const auto from = static_cast<double>(params_.history_from);

  // Who: gender, age (a small share recorded as nonsense), card issue.
  const double ug = rng.Uniform();
  t.gender = ug < 0.41 ? 'F' : (ug < 0.67 ? 'M' : 'U');
  t.true_age = static_cast<int>(std::clamp(std::lround(rng.Normal(45.0, 13.5)), 18L, 88L));
  const bool outlier = rng.Bernoulli(0.007);
  const int outlier_value =
      kAgeOutliers[rng.UniformInt(sizeof(kAgeOutliers) / sizeof(kAgeOutliers[0]))];
  t.recorded_age = outlier ? outlier_value : t.true_age;
  const double old = Sigmoid((t.true_age - 60) / 4.0);

  // Where: home region, favourite store, a few others.
  t.region = world_.SampleRegion(rng);
  t.favourite_store = world_.SampleStoreInRegion(t.region, rng);
  t.n_other_stores = static_cast<int>(rng.UniformInt(kMaxOtherStores + 1));
  for (int i = 0; i < t.n_other_stores; ++i) {
    const uint32_t region = rng.Bernoulli(0.9) ? t.region : world_.SampleRegion(rng);
    t.other_stores[i] = world_.SampleStoreInRegion(region, rng);
  }
  t.loyalty = t.n_other_stores == 0 ? 1.0 : rng.Beta(6.0, 1.6);

  // How: price taste, promo sensitivity (older, thriftier clients and women a bit more).
  t.price_taste = rng.Normal(0.0, 0.5);
  const double z = rng.Normal() + 0.35 * (t.true_age - 45) / 13.5 - 0.5 * t.price_taste +
                   (t.gender == 'F' ? 0.15 : 0.0);
  t.promo = Sigmoid(1.2 * z - 1.0);

  // How often: log-normal base rate (heavy tail), a trend, weekday taste.
  t.rate = std::clamp(rng.LogNormal(std::log(0.13), 0.85) * (1.0 + 0.3 * old), 0.004, 2.0);
  t.trend = std::clamp(rng.Normal(0.0, 0.35), -1.2, 1.2);
  double wsum = 0;
  for (int k = 0; k < 7; ++k) {
    t.weekday[k] = kWeekdayProfile[k] * rng.Gamma(6.0) / 6.0;
    wsum += t.weekday[k];
  }
  for (double& w : t.weekday) w *= 7.0 / wsum;

  // When in the day: morning people are mostly older.
  const double uh = rng.Uniform();
  const double p_morning = 0.12 + 0.35 * old;
  if (uh < p_morning) {
    t.pref_hour = rng.Normal(9.8, 1.0);
    t.hour_sd = 1.0;
  } else if (uh < p_morning + 0.25) {
    t.pref_hour = rng.Normal(13.5, 1.2);
    t.hour_sd = 1.4;
  } else if (uh < 0.9) {
    t.pref_hour = rng.Normal(18.6, 0.9);
    t.hour_sd = 1.1;
  } else {
    t.pref_hour = rng.Normal(21.3, 0.5);
    t.hour_sd = 0.7;
  }
  t.hour_sd += rng.Uniform(0.0, 0.8);
  t.evening = t.pref_hour >= 17.0;

  // Card issue: most clients joined during the 20 months before the history, some inside it.
  t.newcomer = rng.Bernoulli(0.12);
  const double u_issue = rng.Uniform();
  double issue;
  if (t.newcomer) {
    issue = from + u_issue * std::max(0.0, history_len_ - 2.0 * day);
  } else {
    issue = from - 600.0 * day * std::pow(u_issue, 0.8) - day;
  }
  const auto issue_day = DayIndex(static_cast<int64_t>(issue));
  t.issue_time = issue_day * kSecondsPerDay + SampleSecondOfDay(t, t.favourite_store, rng);

  // Churn inside the history: fading clients more often; some newcomers shop only briefly.
  const double u_churn = rng.Uniform();
  const double u_churn_time = rng.Uniform();
  if (t.newcomer) {
    t.churned = u_churn < 0.2;
    t.churn_time = t.issue_time + static_cast<int64_t>(-std::log(1.0 - u_churn_time) * 14.0 * day);
  } else {
    t.churned = u_churn < 0.07 + 0.10 * Sigmoid(-t.trend / 0.3);
    t.churn_time =
        params_.history_from + static_cast<int64_t>((0.1 + 0.9 * u_churn_time) * history_len_);
  }
  if (t.churned && t.churn_time >= params_.history_end()) t.churned = false;

  // Points.
  t.redeemer = rng.Bernoulli(std::min(1.0, 0.88 + 0.15 * t.promo));
  // Promo hunters start redeeming soon after they get the card (a few days); others take months.
  t.redeem_from = t.issue_time + static_cast<int64_t>(rng.Gamma(9.0) / 9.0 *
                                                      (3.0 + 120.0 * (1.0 - t.promo)) * day);
  t.regular_spend_rate = t.redeemer ? 0.01 + 0.12 * t.promo + 0.02 * rng.Uniform() : 0.0;
  t.initial_balance = t.newcomer ? 0.0 : std::floor(rng.Gamma(1.5) * 120.0);

  // Baskets: frequent shoppers buy smaller baskets.
  t.mean_lines =
      std::clamp(rng.LogNormal(std::log(6.0), 0.45) * std::pow(0.15 / t.rate, 0.12), 1.0, 40.0);
  t.buys_alcohol = rng.Bernoulli(t.gender == 'M' ? 0.65 : 0.5);
  t.n_repertoire = 20 + static_cast<int>(rng.UniformInt(kMaxRepertoire - 20 + 1));
  double acc = 0, amount = 0;
  for (int i = 0; i < t.n_repertoire; ++i) {
    uint32_t p = world_.SampleProduct(rng);
    for (int tries = 0; tries < 3 && !t.buys_alcohol && world_.products()[p].alcohol; ++tries) {
      p = world_.SampleProduct(rng);
    }
    const Product& prod = world_.products()[p];
    const double price = static_cast<double>(prod.price_cents) / 100.0;
    // Price taste tilts the choice towards dearer or cheaper goods, within limits (a taste
    // for premium goods does not make a basket of caviar).
    const double tilt = std::clamp(t.price_taste * std::log(price / 100.0), -1.5, 1.5);
    const double w = std::exp(tilt) / std::pow(i + 1.0, 0.7);
    t.repertoire[i] = p;
    t.repertoire_cdf[i] = acc += w;
    amount += w * prod.expected_amount;
  }
  t.basket_value = t.mean_lines * (0.6 * amount / acc + 0.4 * world_.global_expected_amount());
  return t;
}

int64_t BehaviourModel::SampleSecondOfDay(const ClientTraits& t, uint32_t store, Rng& rng) const {
  const Store& s = world_.stores()[store];
  const double open = s.open_hour, close = s.close_hour;
  double hour = -1;
  if (rng.Bernoulli(0.75)) {
    for (int tries = 0; tries < 4; ++tries) {
      const double h = rng.Normal(t.pref_hour, t.hour_sd);
      if (h >= open && h < close) {
        hour = h;
        break;
      }
    }
  }
  if (hour < 0) hour = rng.Uniform(open, close);
  return std::clamp<int64_t>(static_cast<int64_t>(hour * 3600.0), s.open_hour * 3600,
                             s.close_hour * 3600 - 1);
}

double BehaviourModel::TrendFactor(const ClientTraits& t, double seconds) const {
  return std::exp(t.trend * (seconds - history_mid_) / history_len_);
}

double BehaviourModel::TrendDailyStep(const ClientTraits& t) const {
  return std::exp(t.trend * static_cast<double>(kSecondsPerDay) / history_len_);
}

ArmModel BehaviourModel::Arm(const ClientTraits& t, bool treated) const {
  // Expected receipts in the window at the client's base rate: weekday, holiday and trend.
  double exposure = 0;
  const int64_t first_day = DayIndex(params_.treatment_date);
  double trend = TrendFactor(t, (static_cast<double>(first_day) + 0.5) * kSecondsPerDay);
  const double step = TrendDailyStep(t);
  for (int64_t d = first_day; d < first_day + params_.post_days; ++d, trend *= step) {
    exposure += t.weekday[Weekday(d * kSecondsPerDay)] * DayFactor(d) * trend;
  }
  const double s = t.promo;
  ArmModel arm;
  arm.receipt_value = t.basket_value;
  if (t.churned) {
    // Gone before the end of the history: a trickle of visits; the offer wins back a share of
    // the promo-sensitive ones.
    arm.p_alive = 1.0;
    arm.count = t.rate * exposure * (treated ? 0.03 + 0.25 * s * s : 0.03);
  } else {
    // Fading clients may lapse in the window (unobservable noise for any model).
    arm.p_alive = 1.0 - (0.02 + 0.12 * Sigmoid(-t.trend / 0.2 - 1.0));
    double tau = 0;
    if (treated) {
      // Persuadables: promo-sensitive clients with room to buy more; stronger in the evening
      // (the offer arrives after work), for fading clients, for newcomers, by region.
      const double saturation = 1.0 / (1.0 + std::pow(t.rate / 0.5, 2.0));
      const double time_of_day = t.evening ? 1.25 : 0.8;
      const double fading = 1.0 + 0.8 * std::clamp(-t.trend, 0.0, 1.0);
      const double promo_effect = 0.2 * std::pow(s, 1.3) * saturation * time_of_day * fading *
                                  world_.RegionEffect(t.region) * (t.newcomer ? 1.3 : 1.0);
      // Sleeping dogs: promo-averse older clients, who dislike being contacted, and promo-averse
      // clients loyal to a single store buy less when they get the offer.
      const double old = Sigmoid((t.true_age - 60) / 3.0);
      const double averse_old = Sigmoid((0.25 - s) / 0.05);
      const double averse = Sigmoid((0.12 - s) / 0.03);
      const double single_store = t.n_other_stores == 0 ? 1.0 : 0.0;
      const double dog = 0.35 * old * averse_old + 0.15 * (1.0 - old) * averse * single_store;
      tau = std::max(promo_effect - dog, -0.6);
      arm.receipt_value *= 1.0 + 0.03 * s;
    }
    arm.count = t.rate * exposure * (1.0 + tau);
  }
  if (treated) {
    arm.points_share = (t.redeemer ? 1.0 : 0.4) * (0.06 + 0.55 * s);
  } else {
    arm.points_share = 0.005 + 0.03 * s;
  }
  arm.points_per_use = 10.0 * (7.0 + 18.0 * s);
  return arm;
}

Expectation BehaviourModel::Expected(const ClientTraits& t) const {
  Expectation e;
  const auto fill = [](const ArmModel& a, ArmExpectation* out) {
    out->purchases_count = a.p_alive * a.count;
    out->purchases_sum = out->purchases_count * a.receipt_value;
    out->points_spent = out->purchases_count * a.points_share * a.points_per_use;
    // count ~ Poisson(g * count) when alive, g ~ Gamma(k)/k: P(0 | alive) = E[exp(-g * count)]
    // = (1 + count/k)^-k (the Gamma's Laplace transform).
    out->purchase_prob = a.p_alive * (1.0 - std::pow(1.0 + a.count / kPeriodShape, -kPeriodShape));
  };
  fill(Arm(t, false), &e.control);
  fill(Arm(t, true), &e.treated);
  const double c0 = e.control.purchases_count;
  const double dc = e.UpliftCount();
  if (dc >= std::max(0.25, 0.08 * c0)) {
    e.segment = Segment::kPersuadable;
  } else if (dc <= -std::max(0.1, 0.04 * c0)) {
    e.segment = Segment::kSleepingDog;
  } else if (c0 < 0.5) {
    e.segment = Segment::kLostCause;
  } else {
    e.segment = Segment::kSureThing;
  }
  return e;
}

Outcome BehaviourModel::Sample(const ClientTraits& t, bool treated, Rng& rng) const {
  const ArmModel a = Arm(t, treated);
  Outcome o;
  const bool alive = rng.Uniform() < a.p_alive;
  const double g = rng.Gamma(kPeriodShape) / kPeriodShape;
  const double mean = alive ? g * a.count : 0.0;
  const int64_t n_use = rng.Poisson(mean * a.points_share);
  const int64_t n_plain = rng.Poisson(mean * (1.0 - a.points_share));
  o.purchases_count = n_use + n_plain;
  if (o.purchases_count > 0) {
    const double sum = a.receipt_value *
                       rng.Gamma(kValueShape * static_cast<double>(o.purchases_count)) /
                       kValueShape;
    o.purchases_sum_cents = std::llround(sum * 100.0);
  }
  if (n_use > 0) {
    const int64_t extra = rng.Poisson(static_cast<double>(n_use) * (a.points_per_use / 10.0 - 1.0));
    o.points_spent = 10 * (n_use + extra);
  }
  return o;
}

}  // namespace upcamp::synth
