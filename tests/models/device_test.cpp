// The device effects (models/device/), each against a calculation of its
// own: the moments of the drawn conductances and currents, a 2x2 IR-drop
// case worked by hand, the drift power law, the fault rates.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "models/device/device_model.h"
#include "models/device/drift.h"
#include "models/device/ir_drop.h"
#include "models/device/lifetime.h"
#include "models/device/on_off_ratio.h"
#include "models/device/programming_variation.h"
#include "models/device/read_noise.h"
#include "models/device/stuck_cells.h"

namespace cimvp {
namespace {

using Levels = Eigen::Matrix<int32_t, Eigen::Dynamic, Eigen::Dynamic>;

struct Moments {
  double mean = 0, variance = 0;
  size_t n = 0;
};
Moments moments(const std::vector<double>& v) {
  Moments m;
  m.n = v.size();
  for (double x : v) m.mean += x;
  m.mean /= double(m.n);
  for (double x : v) m.variance += (x - m.mean) * (x - m.mean);
  m.variance /= double(m.n - 1);
  return m;
}
// The sample mean and variance of n normal draws of variance s2 lie within
// 5 standard errors: sqrt(s2 / n) and s2 sqrt(2 / (n - 1)).
void expect_normal_moments(const Moments& m, double mean, double s2) {
  EXPECT_NEAR(m.mean, mean, 5 * std::sqrt(s2 / double(m.n)));
  EXPECT_NEAR(m.variance, s2, 5 * s2 * std::sqrt(2.0 / double(m.n - 1)));
}

TEST(DeviceModel, IdealWhenEveryEffectIsOff) {
  const DeviceModel ideal(DeviceParams{}, 2);
  EXPECT_TRUE(ideal.ideal());
  Levels levels(3, 2);
  levels << 0, 1, 2, 3, 1, 0;
  Conductances g;
  ideal.program(levels, {}, 0, g);
  EXPECT_EQ(g, levels.cast<float>());
  EXPECT_EQ(ideal.g_min(), 0.0f);
  EXPECT_EQ(ideal.g_max(), 3.0f);
}

TEST(DeviceModel, EffectsApplyInThePhysicalOrder) {
  DeviceParams d;
  d.read_sigma = 0.01;
  d.wire_ohm = 1;
  d.drift_nu = 0.05;
  d.stuck_low_rate = 0.01;
  d.program_sigma = 0.02;
  d.on_off_ratio = 10;
  std::vector<std::string> names;
  const DeviceModel model(d, 2);
  for (const CellEffect* e : model.effects()) names.push_back(e->name());
  EXPECT_EQ(names, (std::vector<std::string>{"on/off ratio", "programming variation", "stuck cells", "drift",
                                              "IR drop", "read noise"}));
}

TEST(DeviceModel, DrawsAreReproducibleAndDifferPerCrossbarAndEvent) {
  DeviceParams d;
  d.program_sigma = 0.05;
  const DeviceModel model(d, 2);
  const Levels levels = Levels::Constant(8, 8, 2);
  Conductances a, b, c, e;
  model.program(levels, {7, 1, 2}, 0, a);
  model.program(levels, {7, 1, 2}, 0, b);
  model.program(levels, {7, 1, 3}, 0, c);
  model.program(levels, {7, 1, 2}, 1, e);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);  // another crossbar
  EXPECT_NE(a, e);  // another programming of the same one
  d.seed = 8;
  Conductances f;
  DeviceModel(d, 2).program(levels, {8, 1, 2}, 0, f);
  EXPECT_NE(a, f);
}

TEST(OnOffRatio, LevelZeroConductsGminAndTheRatioHolds) {
  // 2-bit cells: range 3 level steps; ratio 10: g_min = 3 / 9.
  const OnOffRatio effect(10, 4);
  EXPECT_FLOAT_EQ(effect.g_min(), 1.0f / 3);
  Conductances g(1, 4);
  g << 0, 1, 2, 3;
  Random rng(1);
  effect.program(g, rng);
  EXPECT_FLOAT_EQ(g(0, 0), 1.0f / 3);
  EXPECT_FLOAT_EQ(g(0, 3) / g(0, 0), 10.0f);  // g_max / g_min
  EXPECT_FLOAT_EQ(g(0, 2) - g(0, 1), 1.0f);   // one level step
}

TEST(ProgrammingVariation, NormalMomentsAreTheConfiguredSpreadOfTheRange) {
  // 2-bit cells (range 3), sigma 0.05: deviations N(0, 0.15^2); level 2 is
  // 13 sigma from 0, so no draw is clipped.
  const ProgrammingVariation effect(0.05, false, 4);
  Conductances g = Conductances::Constant(64, 64, 2.0f);
  Random rng(3);
  effect.program(g, rng);
  std::vector<double> deviation;
  for (Eigen::Index i = 0; i < g.size(); ++i) deviation.push_back(g.data()[i] - 2.0);
  expect_normal_moments(moments(deviation), 0, 0.15 * 0.15);
}

TEST(ProgrammingVariation, LognormalMomentsAreThoseOfLnG) {
  const ProgrammingVariation effect(0.1, true, 4);
  Conductances g = Conductances::Constant(64, 64, 3.0f);
  Random rng(4);
  effect.program(g, rng);
  std::vector<double> log_ratio;
  for (Eigen::Index i = 0; i < g.size(); ++i) log_ratio.push_back(std::log(g.data()[i] / 3.0));
  expect_normal_moments(moments(log_ratio), 0, 0.01);
}

TEST(ProgrammingVariation, NormalDrawsBelowZeroReadZero) {
  const ProgrammingVariation effect(1.0, false, 4);
  Conductances g = Conductances::Zero(32, 32);
  Random rng(5);
  effect.program(g, rng);
  EXPECT_GE(g.minCoeff(), 0.0f);
  EXPECT_GT(g.maxCoeff(), 0.0f);
}

TEST(StuckCells, RatesHoldAndTheFaultMapBelongsToTheCrossbar) {
  DeviceParams d;
  d.stuck_low_rate = 0.05;
  d.stuck_high_rate = 0.02;
  const DeviceModel model(d, 2);
  const Levels levels = Levels::Constant(256, 256, 1);
  Conductances g, again, other;
  model.program(levels, {1, 0, 0}, 0, g);
  model.program(levels, {1, 0, 0}, 9, again);  // reprogrammed: the same faults
  model.program(levels, {1, 0, 1}, 0, other);  // another crossbar: other faults
  EXPECT_EQ(g, again);
  EXPECT_NE(g, other);
  const double n = double(g.size());
  const double low = (g.array() == 0.0f).count() / n, high = (g.array() == 3.0f).count() / n;
  EXPECT_NEAR(low, 0.05, 5 * std::sqrt(0.05 * 0.95 / n));
  EXPECT_NEAR(high, 0.02, 5 * std::sqrt(0.02 * 0.98 / n));
  EXPECT_EQ((g.array() == 1.0f).count() + (g.array() == 0.0f).count() + (g.array() == 3.0f).count(), g.size());
  // A smaller tile on the same crossbar sees the same cells' faults.
  Conductances corner;
  model.program(Levels::Constant(16, 8, 1), {1, 0, 0}, 3, corner);
  EXPECT_EQ(corner, g.topLeftCorner(16, 8));
}

TEST(Drift, PowerLawAfterTheReadTime) {
  // nu 0.1, read 1000 s after the 1 s reference: g x 1000^-0.1.
  const Drift drift(0.1, 0, 1, 1000, false);
  Conductances g(1, 3);
  g << 1, 2, 3;
  Random rng(1);
  drift.program(g, rng);
  const double factor = std::pow(1000.0, -0.1);
  EXPECT_NEAR(g(0, 0), 1 * factor, 1e-6);
  EXPECT_NEAR(g(0, 2), 3 * factor, 1e-6);
}

TEST(Drift, SpreadOfTheExponentAndGlobalCompensation) {
  const double t = 86400;  // a day after programming at t0 = 20 s
  Conductances g = Conductances::Constant(64, 64, 3.0f);
  Random rng(2);
  Drift(0.06, 0.01, 20, t, false).program(g, rng);
  std::vector<double> nu;
  for (Eigen::Index i = 0; i < g.size(); ++i) nu.push_back(-std::log(g.data()[i] / 3.0) / std::log(t / 20));
  expect_normal_moments(moments(nu), 0.06, 0.01 * 0.01);  // 6 sigma above 0: no clipping
  // Compensated: the summed conductance is the programmed one.
  Conductances c = Conductances::Constant(64, 64, 3.0f);
  Random rng2(2);
  Drift(0.06, 0.01, 20, t, true).program(c, rng2);
  EXPECT_NEAR(c.cast<double>().sum(), 3.0 * 64 * 64, 1e-4 * 3 * 64 * 64);
  EXPECT_NEAR(c(0, 0) / c(5, 7), g(0, 0) / g(5, 7), 1e-5);  // one factor for the whole array
}

TEST(Drift, OneDrawReadAtManyAgesFollowsEachCellsExponent) {
  // A refresh interval reads one programming at many ages: the exponents
  // drawn once give every age its power law, cell by cell.
  const Drift drift(0.06, 0.01, 20, 1, false);
  const Conductances programmed = Conductances::Constant(32, 32, 2.0f);
  Random rng(5);
  DriftExponents e;
  drift.draw(programmed, rng, e);
  ASSERT_EQ(e.cells.size(), size_t(programmed.size()));
  EXPECT_DOUBLE_EQ(e.programmed_sum, 2.0 * 32 * 32);
  for (double t : {100.0, 3600.0, 3.15e7}) {
    Conductances g = programmed;
    drift.apply(e, t, g);
    for (size_t k = 0; k < e.cells.size(); k += 37)
      EXPECT_NEAR(g.data()[e.cells[k]], 2.0 * std::pow(t / 20, -e.nu[k]), 1e-6) << t;
  }
  // program() draws the same exponents from the same stream.
  Conductances g = programmed;
  Random again(5);
  Drift(0.06, 0.01, 20, 3600, false).program(g, again);
  Conductances h = programmed;
  drift.apply(e, 3600, h);
  EXPECT_EQ(g, h);
  // Cells at 0 stay 0 at every age and keep no exponent.
  Conductances sparse = Conductances::Zero(4, 4);
  sparse(1, 2) = 3;
  Random rng3(5);
  drift.draw(sparse, rng3, e);
  EXPECT_EQ(e.cells.size(), 1u);
}

TEST(DeviceModel, AgingCellsReadAtTheReadTimeAreProgram) {
  DeviceParams d;
  d.program_sigma = 0.03;
  d.stuck_high_rate = 0.02;
  d.on_off_ratio = 20;
  d.drift_nu = 0.05;
  d.drift_nu_sigma = 0.01;
  d.drift_t0_s = 20;
  d.read_time_s = 86400;
  d.drift_compensation = "global";
  const DeviceModel model(d, 2);
  Levels levels(48, 40);
  for (Eigen::Index i = 0; i < levels.size(); ++i) levels.data()[i] = int32_t(i * 7 % 4);
  Conductances direct, aged;
  model.program(levels, {3, 1, 2}, 4, direct);
  AgingCells cells;
  model.program_aging(levels, {3, 1, 2}, 4, cells);
  model.age(cells, 86400, aged);
  EXPECT_EQ(aged, direct);
  model.age(cells, 3600, aged);
  EXPECT_NE(aged, direct);
}

TEST(Lifetime, ReadAgesSpreadEvenlyOverTheRefreshInterval) {
  DeviceParams d;
  d.drift_t0_s = 20;
  EXPECT_EQ(read_age_s(d, 7), d.read_time_s);  // never refreshed: the read time
  EXPECT_EQ(refresh_share(d, 1e-4), 0);
  d.refresh_interval_s = 86400;
  EXPECT_DOUBLE_EQ(refresh_share(d, 1e-4), 1e-4 / 86400);
  const double golden = (std::sqrt(5.0) - 1) / 2;
  const int n = 1000, bins = 10;
  std::vector<int> count(bins, 0);
  double mean = 0;
  for (int k = 0; k < n; ++k) {
    const double u = std::fmod(0.5 + k * golden, 1.0);
    const double age = read_age_s(d, uint64_t(k));
    EXPECT_EQ(age, std::max(20.0, u * 86400)) << k;
    EXPECT_GE(age, 20);
    EXPECT_LT(age, 86400);
    ++count[size_t(age / 86400 * bins)];
    mean += age / n;
  }
  EXPECT_EQ(read_age_s(d, 0), 43200);
  // Evenly: every tenth of the interval within 2 of its 100 ages (random
  // ages would spread by about 10), and the mean age is half the interval.
  for (int c : count) EXPECT_NEAR(c, n / bins, 2);
  EXPECT_NEAR(mean, 43200, 86400 * 2.0 / n);
}

TEST(ReadNoise, ColumnSigmaIsSigmaTimesTheRootOfTheSummedSquaredDrives) {
  // sigma 0.02 of a 15-step range (4-bit cells); drives 1, 2, 0, 3. The
  // draws themselves are the ADC's (AdcModel.ReadNoiseAndAdcNoiseAdd...).
  const ReadNoise noise(0.02, 16);
  Eigen::VectorXf drive(4);
  drive << 1, 2, 0, 3;
  EXPECT_NEAR(noise.read_sigma(double(drive.squaredNorm())), 0.02 * 15 * std::sqrt(1.0 + 4 + 0 + 9), 1e-12);
  // The device model reports it with the noise-free currents.
  DeviceParams d;
  d.read_sigma = 0.02;
  const DeviceModel model(d, 4);
  const Conductances g = Conductances::Constant(3, 4, 5.0f);
  Eigen::VectorXf column;
  EXPECT_NEAR(model.read(g, drive, column), noise.read_sigma(14.0), 1e-12);
  EXPECT_EQ(column, Eigen::VectorXf::Constant(3, 5.0f * 6));
}

TEST(IrDrop, TwoByTwoWorkedByHand) {
  // Conductances g(c, r) in level steps of 2-bit cells (g_max = 3):
  //   g(0,0) = 3, g(1,0) = 1 (row 0), g(0,1) = 2, g(1,1) = 0 (row 1);
  // both rows driven with 1. Wire 10 ohm per pitch, LRS 1 kohm:
  // R = 10 / 1000 / 3 per level step of conductance.
  const double R = 10.0 / 1000 / 3;
  // Cell currents i(c, r): i00 = 3, i10 = 1, i01 = 2, i11 = 0.
  // Word line 0 carries 4 into column 0, then 1 into column 1: drops 4R, 5R.
  // Word line 1 carries 2, then 0: drops 2R, 2R.
  // Bit line 0, sensed below row 1: the segment below row 0 carries 3,
  // below row 1 carries 5: voltages 8R at row 0, 5R at row 1.
  // Bit line 1: 1 below row 0, 1 below row 1: 2R at row 0, R at row 1.
  const double col0 = 3 * (1 - 4 * R - 8 * R) + 2 * (1 - 2 * R - 5 * R);
  const double col1 = 1 * (1 - 5 * R - 2 * R) + 0 * (1 - 2 * R - R);
  Conductances g(2, 2);
  g << 3, 2,  // column 0: rows 0, 1
      1, 0;   // column 1
  Eigen::VectorXf drive(2);
  drive << 1, 1;
  Eigen::VectorXf column = g * drive;
  IrDrop(10, 1000, 3).read(g, drive, column);
  EXPECT_NEAR(column[0], col0, 1e-6);
  EXPECT_NEAR(column[1], col1, 1e-6);
  // An undriven row still sees the bit line's voltage (sneak current back).
  drive << 1, 0;
  column = g * drive;
  IrDrop(10, 1000, 3).read(g, drive, column);
  // Row 0 alone: word line carries 3 + 1 then 1; bit lines carry 3 and 1
  // through both segments.
  EXPECT_NEAR(column[0], 3 * (1 - 4 * R - 6 * R) + 2 * (0 - 0 - 3 * R), 1e-6);
  EXPECT_NEAR(column[1], 1 * (1 - 5 * R - 2 * R) + 0.0, 1e-6);
}

}  // namespace
}  // namespace cimvp
