#include "synth/params.h"

#include <nlohmann/json.hpp>

#include "core/version.h"

namespace upcamp::synth {

const char* IdFormatName(IdFormat f) {
  return f == IdFormat::kHex ? "hex" : "int";
}

Status SynthParams::Validate() const {
  if (clients < 1 || clients > (int64_t{1} << 30)) {
    return Status::Usage("--clients must be between 1 and {}, got {}", int64_t{1} << 30, clients);
  }
  if (stores < 1 || stores > 100000) {
    return Status::Usage("--stores must be between 1 and 100000, got {}", stores);
  }
  if (products < 20 || products > 4000000) {
    return Status::Usage("--products must be between 20 and 4000000, got {}", products);
  }
  if (post_days < 1 || post_days > 365) {
    return Status::Usage("--post-days must be between 1 and 365, got {}", post_days);
  }
  if (history_to < history_from) {
    return Status::Usage("--history-to ({}) is before --history-from ({})", FormatDate(history_to),
                         FormatDate(history_from));
  }
  if (history_to - history_from > int64_t{3660} * kSecondsPerDay) {
    return Status::Usage("the history may span at most 10 years, got {} .. {}",
                         FormatDate(history_from), FormatDate(history_to));
  }
  if (treatment_date <= history_to) {
    return Status::Usage(
        "--treatment-date ({}) must be after --history-to ({}): the campaign follows the history",
        FormatDate(treatment_date), FormatDate(history_to));
  }
  if (history_from < DaysFromCivil(1990, 1, 1) * kSecondsPerDay ||
      treatment_date > DaysFromCivil(2200, 1, 1) * kSecondsPerDay) {
    return Status::Usage("dates must lie between 1990-01-01 and 2200-01-01");
  }
  return Status::Ok();
}

std::string SynthParams::ToJson() const {
  nlohmann::ordered_json j;
  j["generator"] = "upcamp synth";
  j["model_version"] = kModelVersion;
  j["upcamp_version"] = kVersion;
  j["seed"] = seed;
  j["clients"] = clients;
  j["id_format"] = IdFormatName(id_format);
  j["history_from"] = FormatDate(history_from);
  j["history_to"] = FormatDate(history_to);
  j["treatment_date"] = FormatDate(treatment_date);
  j["post_days"] = post_days;
  j["stores"] = stores;
  j["products"] = products;
  return j.dump(2) + "\n";
}

Result<SynthParams> SynthParams::FromJson(std::string_view text, std::string_view source) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    return Status::Data("{}: not valid JSON: {}", source, e.what());
  }
  if (!j.is_object()) return Status::Data("{}: expected a JSON object", source);
  SynthParams p;
  try {
    const int version = j.at("model_version").get<int>();
    if (version != kModelVersion) {
      return Status::Data(
          "{}: written by behaviour model version {}, this upcamp has version {}; regenerate the "
          "dataset with this version of `upcamp synth`",
          source, version, kModelVersion);
    }
    p.seed = j.at("seed").get<uint64_t>();
    p.clients = j.at("clients").get<int64_t>();
    const std::string fmt = j.at("id_format").get<std::string>();
    if (fmt == "hex") {
      p.id_format = IdFormat::kHex;
    } else if (fmt == "int") {
      p.id_format = IdFormat::kInt;
    } else {
      return Status::Data("{}: id_format must be hex or int, got '{}'", source, fmt);
    }
    const auto date = [&](const char* key, int64_t* out) -> Status {
      const std::string s = j.at(key).get<std::string>();
      auto d = ParseDate(s);
      if (!d) return Status::Data("{}: {} must be a YYYY-MM-DD date, got '{}'", source, key, s);
      *out = *d;
      return Status::Ok();
    };
    UPCAMP_RETURN_IF_ERROR(date("history_from", &p.history_from));
    UPCAMP_RETURN_IF_ERROR(date("history_to", &p.history_to));
    UPCAMP_RETURN_IF_ERROR(date("treatment_date", &p.treatment_date));
    p.post_days = j.at("post_days").get<int>();
    p.stores = j.at("stores").get<int>();
    p.products = j.at("products").get<int>();
  } catch (const nlohmann::json::exception& e) {
    return Status::Data("{}: missing or mistyped field: {}", source, e.what());
  }
  Status st = p.Validate();
  if (!st.ok()) return Status::Data("{}: {}", source, st.message());
  return p;
}

}  // namespace upcamp::synth
