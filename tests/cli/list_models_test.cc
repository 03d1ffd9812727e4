// Scenario test of `upcamp list models`: the built binary lists the model registry.

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "models/registry.h"
#include "testing.h"

namespace upcamp {
namespace {

TEST(ListModels, TextAndJsonListEveryRegisteredModel) {
  testing::TempDir dir;
  const std::string out = dir.File("out.txt"), json = dir.File("out.json");
  const std::string bin = UPCAMP_BINARY;
  ASSERT_EQ(std::system((bin + " list models >" + out).c_str()), 0);
  ASSERT_EQ(std::system((bin + " list models --json >" + json).c_str()), 0);
  const std::string text = testing::ReadAll(out);
  const auto listed = nlohmann::json::parse(testing::ReadAll(json));
  ASSERT_TRUE(listed.is_array());
  ASSERT_EQ(listed.size(), models::AllModels().size());
  for (size_t i = 0; i < listed.size(); ++i) {
    const auto& info = models::AllModels()[i];
    EXPECT_EQ(listed[i]["name"], info.name);
    EXPECT_EQ(listed[i]["binary_outcome_only"], info.binary_outcome_only);
    EXPECT_NE(text.find(info.name), std::string::npos) << info.name;
  }
  EXPECT_NE(text.find("num_rounds 100"), std::string::npos);
  // An unknown category is a usage error (exit 2).
  const int status = std::system((bin + " list modles >/dev/null 2>&1").c_str());
  EXPECT_EQ(WIFEXITED(status) ? WEXITSTATUS(status) : -1, 2);
}

}  // namespace
}  // namespace upcamp
