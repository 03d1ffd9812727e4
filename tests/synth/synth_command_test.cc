// Scenario tests of `upcamp synth` and `upcamp synth respond`: the built binary, as a user runs it.

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>

#include "synth/synth_test_util.h"
#include "testing.h"

namespace upcamp::synth {
namespace {

using ::upcamp::synth::testing::ReadSimpleCsv;
using ::upcamp::testing::CliResult;
using ::upcamp::testing::ListDir;
using ::upcamp::testing::ReadAll;
using ::upcamp::testing::RunUpcamp;
using ::upcamp::testing::TempDir;

TEST(SynthCommand, HelpAndUsageErrors) {
  TempDir dir;
  CliResult r = RunUpcamp(dir, "synth --help");
  EXPECT_EQ(r.exit_code, 0);
  for (const char* option : {"--out", "--clients", "--seed", "--id-format", "--history-from",
                             "--history-to", "--treatment-date", "--compress", "respond"}) {
    EXPECT_NE(r.out.find(option), std::string::npos) << option;
  }
  EXPECT_NE(r.out.find("truth.csv"), std::string::npos) << r.out;  // the footer
  r = RunUpcamp(dir, "synth respond --help");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("--assignment"), std::string::npos) << r.out;
  // Top-level help lists every command on one line; the long descriptions are in the footers.
  r = RunUpcamp(dir, "--help");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out.find("truth.csv"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find(".ucol, the binary"), std::string::npos) << r.out;

  EXPECT_EQ(RunUpcamp(dir, "synth --out " + dir.File("d") + " --bogus").exit_code, 2);
  EXPECT_EQ(RunUpcamp(dir, "synth --out " + dir.File("d") + " --id-format uuid").exit_code, 2);
  r = RunUpcamp(dir, "synth");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--out"), std::string::npos) << r.err;
  r = RunUpcamp(dir, "synth --out " + dir.File("d") + " --history-from 2019-13-01");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--history-from"), std::string::npos) << r.err;
  EXPECT_EQ(RunUpcamp(dir, "synth respond --data " + dir.path()).exit_code, 2);
  EXPECT_EQ(ListDir(dir.path()), std::vector<std::string>{}) << "nothing written";
}

TEST(SynthCommand, GeneratesAndResponds) {
  TempDir dir;
  const std::string data = dir.File("data");
  CliResult r =
      RunUpcamp(dir, "--threads 2 --quiet synth --out " + data +
                         " --clients 150 --seed 3 --stores 20 --products 500 --id-format int");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(ReadSimpleCsv(data + "/client_profile.csv").rows.size(), 150u);
  EXPECT_NE(ReadAll(data + "/synth.json").find("\"id_format\": \"int\""), std::string::npos);

  const auto ids = ReadSimpleCsv(data + "/client_profile.csv").rows;
  const std::string assignment = dir.Write(
      "a.csv", "client_id,treatment\n" + ids[0][0] + ",offer\n" + ids[1][0] + ",no_offer\n");
  r = RunUpcamp(dir, "synth respond --data " + data + " --assignment " + assignment + " --out " +
                         dir.File("resp.csv"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(ReadSimpleCsv(dir.File("resp.csv")).rows.size(), 2u);

  const std::string bad =
      dir.Write("bad.csv", "client_id,treatment\n" + ids[0][0] + ",offer\n999999999999999,offer\n");
  r = RunUpcamp(dir, "synth respond --data " + data + " --assignment " + bad + " --out " +
                         dir.File("resp2.csv"));
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("bad.csv:3"), std::string::npos) << r.err;
  EXPECT_FALSE(std::ifstream(dir.File("resp2.csv")).good()) << "no output on error";
}

}  // namespace
}  // namespace upcamp::synth
