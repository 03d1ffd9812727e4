// Scenario tests of `upcamp runs`: a run made through the flow library, listed by the binary.

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "core/file_util.h"
#include "flow/run.h"
#include "testing.h"

namespace upcamp {
namespace {

using ::upcamp::testing::CliResult;
using ::upcamp::testing::ReadAll;
using ::upcamp::testing::RunUpcamp;
using ::upcamp::testing::TempDir;

TEST(RunsCommand, ListAndShowARun) {
  TempDir dir;
  const std::string runs = dir.File("runs");
  CliResult r = RunUpcamp(dir, "runs list --runs-dir " + runs);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "no runs in " + runs + "\n");

  flow::StageSpec stage;
  stage.name = "only";
  stage.code_version = "v1";
  stage.run = [](flow::StageContext& ctx) -> Status {
    ctx.SetRows(3);
    return WriteFileAtomic(ctx.OutputPath("out.csv"), "a\n1\n2\n3\n");
  };
  flow::RunOptions options;
  options.runs_dir = runs;
  options.run_id = "exp1";
  options.config = {{"seed", 165}};
  ASSERT_OK(flow::RunFlow(options, {stage}).status());

  r = RunUpcamp(dir, "--runs-dir " + runs + " runs list");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\nexp1    finished  1/1     1"), std::string::npos) << r.out;

  r = RunUpcamp(dir, "runs list --json --runs-dir " + runs);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j.size(), 1u);
  EXPECT_EQ(j[0]["run_id"], "exp1");
  EXPECT_EQ(j[0]["config"]["seed"], 165);

  r = RunUpcamp(dir, "runs show --run-id exp1 --runs-dir " + runs);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("run exp1: finished (attempt 1, 1/1 stages done)"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("only   finished  3     8 B"), std::string::npos) << r.out;

  r = RunUpcamp(dir, "runs show --run-id nope --runs-dir " + runs);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("no run 'nope'"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace upcamp
