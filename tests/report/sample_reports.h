#pragma once
// Sample training and campaign reports with realistic numbers (a 400k-client Qini curve, ten
// deciles, 40 features, five effects), shared by reports_test.cc and the report_sample program
// that the headless-browser check renders.

#include "report/campaign_report.h"
#include "report/training_report.h"

namespace upcamp::testing {

/// `clients` sets the length of the curves (and the number of scores).
report::TrainingReport SampleTrainingReport(size_t clients);
report::CampaignReport SampleCampaignReport(size_t clients, bool evaluated);

}  // namespace upcamp::testing
