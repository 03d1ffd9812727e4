// report_sample OUT_DIR [CLIENTS]: writes the sample training report (training.html) and the
// sample campaign reports (campaign.html evaluated, campaign_frozen.html not yet evaluated) for
// the headless-browser check (browser_check.sh) and for looking at the layout by eye.

#include <cstdio>
#include <cstdlib>
#include <string>

#include "core/file_util.h"
#include "sample_reports.h"

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    std::fprintf(stderr, "usage: report_sample OUT_DIR [CLIENTS]\n");
    return 2;
  }
  const std::string out = argv[1];
  const size_t clients = argc == 3 ? std::strtoul(argv[2], nullptr, 10) : 400000;
  using namespace upcamp;
  Status st = MakeDirectories(out);
  if (st.ok())
    st = report::BuildTrainingReport(testing::SampleTrainingReport(clients))
             .Write(out + "/training.html");
  if (st.ok())
    st = report::BuildCampaignReport(testing::SampleCampaignReport(clients, true))
             .Write(out + "/campaign.html");
  if (st.ok())
    st = report::BuildCampaignReport(testing::SampleCampaignReport(clients, false))
             .Write(out + "/campaign_frozen.html");
  if (!st.ok()) {
    std::fprintf(stderr, "report_sample: %s\n", st.ToString().c_str());
    return 1;
  }
  return 0;
}
