// programmed_weight_error() against a Monte-Carlo of the crossbar itself:
// weights mapped onto cells by the real mapping (map_weights), programmed
// by the real device model (DeviceModel::program: on/off ratio, then
// programming variation), read back through the shift-and-add columns of
// the layout, and the error's mean and standard deviation measured per
// weight value. The formula is derived independently (per-cell moments of
// the clipped normal or the lognormal, summed over the slices).
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "common/error.h"
#include "models/device/device_model.h"
#include "models/device/programmed_weight_error.h"
#include "models/weight_mapping.h"

using namespace cimvp;

namespace {

struct Measured {
  std::vector<double> mean, std_dev;  // per weight value
};

// Maps `copies` rows of each weight (one output column), programs the tile
// `events` times and measures the read-back error of each weight value.
Measured monte_carlo(const CrossbarParams& crossbar, const DeviceParams& device, int weight_bits,
                     const std::vector<int>& weights, int copies, int events) {
  const int rows = int(weights.size()) * copies;
  const CellLayout layout = cell_layout(crossbar, rows, 1, weight_bits);
  WeightBlock block;
  block.rows = uint32_t(rows);
  block.cols = 1;
  block.weight_bits = uint8_t(weight_bits);
  for (int r = 0; r < rows; ++r) block.weights.push_back(int16_t(weights[size_t(r / copies)]));
  Eigen::Matrix<int32_t, Eigen::Dynamic, Eigen::Dynamic> levels;
  map_weights(layout, block, levels);
  const std::vector<ShiftAdd::Column> columns = layout.shift_add_columns();
  const DeviceModel model(device, crossbar.cell_bits);
  // The weight a row reads back from conductances g (g_min subtracted, as
  // the differential and offset periphery do).
  auto read_back = [&](const Eigen::MatrixXf& g, int r) {
    double w = 0;
    for (int c = 0; c < layout.physical_cols; ++c)
      for (int pr = 0; pr < layout.physical_rows; ++pr) {
        if (pr % rows != r) continue;
        const int row_sign = pr >= rows ? -1 : 1;  // differential-row: the negative rows
        w += row_sign * columns[size_t(c)].sign * std::ldexp(1.0, columns[size_t(c)].shift) *
             (double(g(c, pr)) - model.g_min());
      }
    return w;
  };
  const Eigen::MatrixXf ideal = levels.cast<float>().array() + model.g_min();
  for (int r = 0; r < rows; ++r)  // the reconstruction itself is exact
    EXPECT_NEAR(read_back(ideal, r), block.weights[size_t(r)], 1e-3) << "row " << r;
  std::vector<double> sum(weights.size()), sum2(weights.size());
  Conductances g;
  for (int e = 0; e < events; ++e) {
    model.program(levels, CrossbarIdentity{7, 0, 0}, uint64_t(e), g);
    for (int r = 0; r < rows; ++r) {
      const double err = read_back(g, r) - block.weights[size_t(r)];
      sum[size_t(r / copies)] += err;
      sum2[size_t(r / copies)] += err * err;
    }
  }
  Measured m;
  const double n = double(copies) * events;
  for (size_t i = 0; i < weights.size(); ++i) {
    const double mean = sum[i] / n;
    m.mean.push_back(mean);
    m.std_dev.push_back(std::sqrt((sum2[i] - n * mean * mean) / (n - 1)));
  }
  return m;
}

void expect_matches_monte_carlo(const CrossbarParams& crossbar, const DeviceParams& device, int weight_bits,
                                const std::vector<int>& weights) {
  const int copies = 20, events = 400;
  const Measured mc = monte_carlo(crossbar, device, weight_bits, weights, copies, events);
  const double n = double(copies) * events;
  for (size_t i = 0; i < weights.size(); ++i) {
    const WeightError f = programmed_weight_error(crossbar, device, weight_bits, weights[i]);
    SCOPED_TRACE("weight " + std::to_string(weights[i]));
    ASSERT_GT(f.std_dev, 0);
    // Sampling error: mean within 5 standard errors; the sample standard
    // deviation has a relative error of about 1 / sqrt(2 n) = 0.8 %.
    EXPECT_NEAR(mc.mean[i], f.mean, 5 * f.std_dev / std::sqrt(n) + 1e-6);
    EXPECT_NEAR(mc.std_dev[i] / f.std_dev, 1.0, 0.04);
  }
}

}  // namespace

TEST(ProgrammedWeightError, DifferentialColumnNormalMatchesTheCrossbar) {
  CrossbarParams crossbar;  // default.yaml: 2-bit cells, differential-column
  DeviceParams device;
  device.program_sigma = 0.02;
  expect_matches_monte_carlo(crossbar, device, 8, {-128, -37, -1, 0, 1, 6, 100, 127});
}

TEST(ProgrammedWeightError, DifferentialRowLognormalWithFiniteOnOffRatioMatchesTheCrossbar) {
  CrossbarParams crossbar;
  crossbar.mapping = WeightMapping::DifferentialRow;
  crossbar.cell_bits = 3;
  DeviceParams device;
  device.program_sigma = 0.1;
  device.program_distribution = "lognormal";
  device.on_off_ratio = 20;  // level 0 conducts, so its cells vary too
  expect_matches_monte_carlo(crossbar, device, 6, {-32, -5, 0, 3, 31});
}

TEST(ProgrammedWeightError, OffsetMappingMatchesTheCrossbar) {
  CrossbarParams crossbar;
  crossbar.mapping = WeightMapping::Offset;
  crossbar.cell_bits = 2;
  DeviceParams device;
  device.program_sigma = 0.05;
  device.on_off_ratio = 10;
  expect_matches_monte_carlo(crossbar, device, 5, {-16, -3, 0, 7, 15});
}

// Cells far above conductance 0 (here g_min = L - 1) are not clipped: the
// error is zero-mean with std sigma (L - 1) sqrt(sum over the weight's cells
// of (2^cell_bits)^(2k)), two cells per slice under differential-column.
TEST(ProgrammedWeightError, UnclippedCellsGiveTheClosedForm) {
  CrossbarParams crossbar;
  DeviceParams device;
  device.program_sigma = 0.01;
  device.on_off_ratio = 2;
  const int L = 1 << crossbar.cell_bits;
  for (int bits : {2, 5, 8}) {
    double sum = 0;
    for (int k = 0; k < crossbar.slices_per_weight(bits); ++k) sum += 2 * std::pow(double(L), 2 * k);
    const double expected = device.program_sigma * (L - 1) * std::sqrt(sum);
    for (int w : {-(1 << (bits - 1)), -1, 0, 1, (1 << (bits - 1)) - 1}) {
      const WeightError e = programmed_weight_error(crossbar, device, bits, w);
      EXPECT_NEAR(e.std_dev, expected, 1e-9 * expected) << bits << " bits, weight " << w;
      EXPECT_NEAR(e.mean, 0, 1e-9) << bits << " bits, weight " << w;
    }
  }
  // 8-bit weights on 2-bit cells at sigma 0.01: 0.03 x sqrt(2 x 4369) = 2.80 LSB.
  EXPECT_NEAR(programmed_weight_error(crossbar, device, 8, 0).std_dev, 2.804, 0.001);
}

TEST(ProgrammedWeightError, NoVariationNoErrorAndBadWeightsRefused) {
  CrossbarParams crossbar;
  DeviceParams device;
  EXPECT_EQ(programmed_weight_error(crossbar, device, 8, 5).std_dev, 0);
  device.program_sigma = 0.01;
  EXPECT_THROW(programmed_weight_error(crossbar, device, 8, 128), Error);
  EXPECT_THROW(programmed_weight_error(crossbar, device, 4, -9), Error);
}
