#include "core/config.h"

#include <gtest/gtest.h>

#include "testing.h"

namespace upcamp {
namespace {

constexpr const char* kTrainYaml = R"(seed: 165
data:
  catalog: data/catalog.yaml
  date_to: 2019-03-19
  features:
    - {name: receipts_basic, args: {delta: 60}}
    - {name: age_gender}
model:
  type: t_learner
  base: {type: xgboost, params: {max_depth: 4, eta: 0.1}}
  note: "42"
)";

TEST(Config, ParsesWithLocations) {
  ASSERT_OK_AND_ASSIGN(ConfigNode root, ConfigNode::Parse(kTrainYaml, "train.yaml"));
  ASSERT_TRUE(root.IsMap());
  EXPECT_EQ(root.GetInt("seed").value(), 165);
  ASSERT_OK_AND_ASSIGN(const ConfigNode* data, root.Get("data"));
  EXPECT_EQ(data->GetString("catalog").value(), "data/catalog.yaml");
  ASSERT_OK_AND_ASSIGN(const ConfigNode* date, data->Get("date_to"));
  EXPECT_EQ(date->AsDate().value(), 1552953600);
  EXPECT_EQ(date->where(), "train.yaml:4:12");
  EXPECT_EQ(date->path(), "data.date_to");
  const auto& features = data->Find("features")->items();
  ASSERT_EQ(features.size(), 2u);
  EXPECT_EQ(features[0].path(), "data.features[0]");
  EXPECT_EQ(features[0].Find("args")->GetInt("delta").value(), 60);
  EXPECT_EQ(features[1].GetString("name").value(), "age_gender");
  const ConfigNode* params = root.Find("model")->Find("base")->Find("params");
  EXPECT_DOUBLE_EQ(params->GetDouble("eta").value(), 0.1);
  EXPECT_EQ(params->GetInt("missing", 7).value(), 7);
}

TEST(Config, UnknownKeyNamesLineAndSuggests) {
  ASSERT_OK_AND_ASSIGN(ConfigNode root, ConfigNode::Parse("seed: 1\nmodle: {type: x}\n", "t.yaml"));
  Status st = root.CheckKeys({"seed", "data", "model", "validation", "threshold"});
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), ErrorCode::kConfig);
  EXPECT_EQ(st.message(),
            "t.yaml:2:8: unknown key 'modle'; did you mean 'model'? (allowed: seed, data, model, "
            "validation, threshold)");
}

TEST(Config, TypeErrorsNameTheKey) {
  ASSERT_OK_AND_ASSIGN(ConfigNode root, ConfigNode::Parse("a:\n  delta: sixty\n", "f.yaml"));
  auto r = root.Find("a")->GetInt("delta");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "f.yaml:2:10 (a.delta): expected an integer, got 'sixty'");
  auto missing = root.Find("a")->GetInt("other");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("missing required key 'other'"), std::string::npos);
}

TEST(Config, SyntaxErrorHasLine) {
  auto r = ConfigNode::Parse("a: [1, 2\nb: 3\n", "bad.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kConfig);
  EXPECT_NE(r.status().message().find("bad.yaml:"), std::string::npos);
  auto dup = ConfigNode::Parse("a: 1\na: 2\n", "dup.yaml");
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.status().message(), "dup.yaml:2:1: duplicate key 'a'");
}

TEST(Config, JsonRoundTripKeepsTypes) {
  ASSERT_OK_AND_ASSIGN(ConfigNode root, ConfigNode::Parse(kTrainYaml, "train.yaml"));
  nlohmann::json j = root.ToJson();
  EXPECT_EQ(j["seed"], 165);
  EXPECT_EQ(j["model"]["base"]["params"]["eta"], 0.1);
  EXPECT_EQ(j["model"]["note"], "42");  // quoted in YAML: stays a string
  EXPECT_EQ(j["data"]["date_to"], "2019-03-19");
  ConfigNode back = ConfigNode::FromJson(j, "manifest.json");
  EXPECT_EQ(back.ToJson(), j);
  EXPECT_EQ(back.Find("data")->Find("features")->items()[0].path(), "data.features[0]");
  EXPECT_EQ(back.Find("model")->GetString("note").value(), "42");
}

TEST(Config, EditDistance) {
  EXPECT_EQ(EditDistance("kitten", "sitting"), 3u);
  EXPECT_EQ(EditDistance("", "abc"), 3u);
  EXPECT_EQ(EditDistance("same", "same"), 0u);
}

}  // namespace
}  // namespace upcamp
