// Scenario tests of `upcamp table`: the built binary is run as a user would run it.

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>

#include "data/ucol.h"
#include "testing.h"

namespace upcamp {
namespace {

using ::upcamp::testing::CliResult;
using ::upcamp::testing::ListDir;
using ::upcamp::testing::ReadAll;
using ::upcamp::testing::TempDir;

// Runs `upcamp --threads 2 ARGS` with stdout and stderr captured in files of `dir`.
CliResult RunUpcampTwoThreads(const TempDir& dir, const std::string& args) {
  return ::upcamp::testing::RunUpcamp(dir, "--threads 2 " + args);
}

constexpr const char* kCsv =
    "client_id,age,purchase_sum,first_issue_date\n"
    "0001,45,100.5,2017-08-05 15:40:48\n"
    "\"a,b\",,0.1,\n"
    "000012768d,72,-3,2018-01-01 00:00:00\n";

TEST(TableCommand, ConvertInfoHeadExportRoundTrip) {
  TempDir dir;
  const std::string csv = dir.Write("in.csv", kCsv);
  CliResult r = RunUpcampTwoThreads(
      dir, "table convert " + csv + " --as client_profile --out " + dir.File("t.ucol"));
  ASSERT_EQ(r.exit_code, 0) << r.err;

  r = RunUpcampTwoThreads(dir, "table info " + dir.File("t.ucol"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("3 rows, 4 columns (checksums verified)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("client_id"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("timestamp"), std::string::npos) << r.out;

  r = RunUpcampTwoThreads(dir, "table info --json " + dir.File("t.ucol"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\"rows\": 3"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"checksum\""), std::string::npos) << r.out;

  r = RunUpcampTwoThreads(dir, "table head -n 1 " + dir.File("t.ucol"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "client_id,age,purchase_sum,first_issue_date\n0001,45,100.5,2017-08-05 15:40:48\n");

  r = RunUpcampTwoThreads(dir, "table head -n 2 --as client_profile " + csv);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "client_id,age,purchase_sum,first_issue_date\n0001,45,100.5,2017-08-05 15:40:48\n"
            "\"a,b\",,0.1,\n");

  r = RunUpcampTwoThreads(dir,
                          "table export " + dir.File("t.ucol") + " --out " + dir.File("back.csv"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(ReadAll(dir.File("back.csv")), kCsv);
}

TEST(TableCommand, CsvInfoReportsTypesAndMissing) {
  TempDir dir;
  const std::string csv = dir.Write("in.csv", kCsv);
  const CliResult r = RunUpcampTwoThreads(dir, "table info --json --as client_profile " + csv);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\"format\": \"csv\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"name\": \"age\",\n      \"type\": \"int64\",\n      \"missing\": 1"),
            std::string::npos)
      << r.out;
}

TEST(TableCommand, CorruptUcolIsADataErrorNamingTheColumn) {
  TempDir dir;
  const std::string csv = dir.Write("in.csv", kCsv);
  ASSERT_EQ(
      RunUpcampTwoThreads(dir, "table convert " + csv + " --out " + dir.File("t.ucol")).exit_code,
      0);
  auto info = InspectUcol(dir.File("t.ucol"));
  ASSERT_TRUE(info.ok());
  const UcolColumnInfo& col = info->columns[2];  // purchase_sum
  {
    std::fstream f(dir.File("t.ucol"), std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(static_cast<std::streamoff>(col.offset + col.compressed_size - 1));
    const char c = static_cast<char>(f.get());
    f.seekp(static_cast<std::streamoff>(col.offset + col.compressed_size - 1));
    f.put(static_cast<char>(c ^ 0x10));
  }
  CliResult r = RunUpcampTwoThreads(dir, "table info " + dir.File("t.ucol"));
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("column 'purchase_sum'"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;

  r = RunUpcampTwoThreads(dir,
                          "table export " + dir.File("t.ucol") + " --out " + dir.File("x.csv"));
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir.File("x.csv")));

  const std::string not_ucol = dir.Write("fake.ucol", "client_id\n1\n");
  r = RunUpcampTwoThreads(dir, "table head " + not_ucol);
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("not a .ucol file"), std::string::npos) << r.err;
}

TEST(TableCommand, UsageErrors) {
  TempDir dir;
  const std::string csv = dir.Write("in.csv", kCsv);
  CliResult r = RunUpcampTwoThreads(dir, "table export " + csv + " --out " + dir.File("x.csv"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("table export reads a .ucol file"), std::string::npos) << r.err;

  r = RunUpcampTwoThreads(dir, "table convert " + csv + " --out " + dir.File("x.csv"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("writes a .ucol file"), std::string::npos) << r.err;

  r = RunUpcampTwoThreads(dir, "table info --as purchase " + csv);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--as must be a reference table"), std::string::npos) << r.err;

  EXPECT_EQ(RunUpcampTwoThreads(dir, "table").exit_code, 2);
  EXPECT_EQ(RunUpcampTwoThreads(dir, "table export " + dir.File("t.ucol")).exit_code,
            2);  // no --out
  EXPECT_EQ(RunUpcampTwoThreads(dir, "table head -n -1 " + csv).exit_code, 2);

  // Nothing was written by any of the failed commands.
  EXPECT_EQ(ListDir(dir.path()), std::vector<std::string>{"in.csv"});
}

TEST(TableCommand, HelpDescribesEverySubcommand) {
  TempDir dir;
  const CliResult r = RunUpcampTwoThreads(dir, "table --help");
  EXPECT_EQ(r.exit_code, 0);
  for (const char* sub : {"info", "head", "export", "convert"}) {
    EXPECT_NE(r.out.find(sub), std::string::npos) << sub << "\n" << r.out;
  }
}

}  // namespace
}  // namespace upcamp
