// The ADC model: exact when the architecture says it is ideal (checked
// exhaustively on small ranges), clipping at the full scale, monotonic,
// within half a step of the input, equal to a long double reference, and
// counting its conversions.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>
#include <random>

#include "common/error.h"
#include "models/adc.h"
#include "tests/support/paths.h"

namespace cimvp {
namespace {

int64_t reference(int bits, int64_t fs, int64_t v) {
  if (v < 0) return -reference(bits, fs, -v);
  const long double L = static_cast<long double>((int64_t(1) << bits) - 1), F = static_cast<long double>(fs);
  long double code = std::floor(static_cast<long double>(v) * L / F + 0.5L);
  if (code > L) code = L;
  return int64_t(std::floor(code * F / L + 0.5L));
}

// The proof in models/adc.h, checked: every F <= L, every v in [-F, F].
TEST(AdcModel, IdealReturnsTheValueExhaustively) {
  for (int bits = 1; bits <= 9; ++bits) {
    const int64_t L = (int64_t(1) << bits) - 1;
    for (int64_t fs = 1; fs <= L; ++fs) {
      const AdcModel adc(bits, fs);
      ASSERT_TRUE(adc.exact_up_to(fs));
      for (int64_t v = -fs; v <= fs; ++v) ASSERT_EQ(adc.quantize(v), v) << bits << " bits, full scale " << fs;
    }
  }
  for (int bits : {12, 16, 20}) {  // large ranges: the edges and a stride through the middle
    const int64_t L = (int64_t(1) << bits) - 1;
    for (int64_t fs : {L, L - 1, L / 2 + 1, L / 3}) {
      const AdcModel adc(bits, fs);
      for (int64_t v = 0; v <= fs; v += (v < 5000 || fs - v < 5000) ? 1 : 97) {
        ASSERT_EQ(adc.quantize(v), v) << bits << " bits, full scale " << fs;
        ASSERT_EQ(adc.quantize(-v), -v);
      }
    }
  }
}

// The arch's ideality rule and the model agree, and an ideal arch ADC is
// exact over every reachable column sum.
TEST(AdcModel, AgreesWithArchIdeality) {
  for (int cb : {1, 2, 4})
    for (int db : {1, 2, 3})
      for (int bits = 4; bits <= 14; ++bits)
        for (int64_t fs : {int64_t(0), int64_t(100), int64_t(3000)}) {
          ArchConfig a;
          a.crossbar.rows = 64;
          a.crossbar.cell_bits = cb;
          a.dac.bits = db;
          a.adc.bits = bits;
          a.adc.full_scale = fs;
          const AdcModel adc(a);
          EXPECT_EQ(adc.bits(), bits);
          EXPECT_EQ(adc.full_scale(), fs > 0 ? fs : a.max_column_sum());
          // exact() holds exactly when every reachable column sum converts to itself.
          bool every_sum_exact = true;
          for (int64_t v = 0; v <= a.max_column_sum() && every_sum_exact; ++v) every_sum_exact = adc.quantize(v) == v;
          EXPECT_EQ(adc.exact(), every_sum_exact) << "cell " << cb << " dac " << db << " adc " << bits << " fs " << fs;
          EXPECT_EQ(adc.clips(), fs > 0 && fs < a.max_column_sum());
        }
}

// The cases of docs/crossbar.md: 256 rows of 4-bit cells, 1-bit DAC (3840).
TEST(AdcModel, ExactnessFollowsCodesAndFullScale) {
  ArchConfig a;
  a.crossbar.rows = 256;
  a.crossbar.cell_bits = 4;
  a.dac.bits = 1;
  auto exact = [&](int bits, int64_t full_scale) {
    a.adc.bits = bits;
    a.adc.full_scale = full_scale;
    return AdcModel(a).exact();
  };
  EXPECT_TRUE(exact(12, 0));      // 4095 codes >= 3840
  EXPECT_FALSE(exact(11, 0));     // 2047 < 3840
  EXPECT_FALSE(exact(12, 2000));  // clips sums above 2000
  EXPECT_TRUE(exact(12, 4095));   // one code per unit of sum, whole range covered
  EXPECT_FALSE(exact(12, 5000));  // 4095 codes for 5000 units: steps wider than 1
  EXPECT_TRUE(exact(13, 5000));
  EXPECT_EQ(AdcModel(a).full_scale(), 5000);
  a.adc.full_scale = 0;
  EXPECT_EQ(AdcModel(a).full_scale(), 3840);
  ArchConfig wide;
  wide.crossbar.rows = 4096;
  wide.crossbar.cols = 4096;
  wide.crossbar.cell_bits = 8;
  wide.dac.bits = 8;
  wide.adc.bits = 32;  // 266,342,400 < 2^32
  EXPECT_TRUE(AdcModel(wide).exact());
}

// The comment of every preset states whether its ADC is ideal; the statement
// must be true (the main job relies on it for bit-exact checks).
TEST(AdcModel, PresetsAreIdealAsTheirCommentsSay) {
  auto path = [](const std::string& name) { return test::source_path("configs/arch/" + name + ".yaml"); };
  auto text = [&](const std::string& name) {
    std::ifstream in(path(name));
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  };
  for (const char* name : {"default", "cim-aq-paper", "large", "isaac-like"}) {
    EXPECT_TRUE(AdcModel(load_arch_config(path(name))).exact()) << name;
    EXPECT_THAT(text(name), ::testing::HasSubstr("IDEAL ADC")) << name;
  }
  for (const char* name : {"prime-like"}) {
    EXPECT_FALSE(AdcModel(load_arch_config(path(name))).exact()) << name;
    EXPECT_THAT(text(name), ::testing::HasSubstr("NOT AN IDEAL ADC")) << name;
  }
}

TEST(AdcModel, InexactWhenTooFewCodesOrClipping) {
  const AdcModel coarse(2, 7);  // 3 codes for 0..7
  EXPECT_FALSE(coarse.exact_up_to(7));
  int wrong = 0;
  for (int64_t v = 0; v <= 7; ++v) wrong += coarse.quantize(v) != v;
  EXPECT_GT(wrong, 0);
  const AdcModel fine(8, 100);
  EXPECT_TRUE(fine.exact_up_to(100));
  EXPECT_FALSE(fine.exact_up_to(101));
}

TEST(AdcModel, ClipsAtFullScale) {
  for (int bits : {1, 4, 6, 12})
    for (int64_t fs : {1, 7, 100, 12345}) {
      const AdcModel adc(bits, fs);
      for (int64_t v : {fs, fs + 1, 2 * fs + 3, int64_t(1) << 40}) {
        EXPECT_EQ(adc.code(v), adc.top_code());
        EXPECT_EQ(adc.quantize(v), fs);
        EXPECT_EQ(adc.quantize(-v), -fs);
      }
      EXPECT_EQ(adc.code(0), 0);
      EXPECT_EQ(adc.quantize(0), 0);
    }
}

TEST(AdcModel, MonotonicAndWithinHalfAStep) {
  for (int bits = 1; bits <= 8; ++bits)
    for (int64_t fs : {1, 3, 10, 37, 255, 1000}) {
      const AdcModel adc(bits, fs);
      const long double step = static_cast<long double>(fs) / adc.top_code();
      int64_t prev_code = -1, prev = -1;
      for (int64_t v = 0; v <= 3 * fs; ++v) {
        const int64_t c = adc.code(v), q = adc.quantize(v);
        ASSERT_GE(c, prev_code);
        ASSERT_GE(q, prev);
        ASSERT_GE(c, 0);
        ASSERT_LE(c, adc.top_code());
        if (v <= fs) {  // quantization error: half a step, plus half a unit for rounding the reconstruction
          ASSERT_LE(std::fabs(static_cast<long double>(q - v)), step / 2 + 0.5L) << bits << " " << fs << " " << v;
        }
        prev_code = c;
        prev = q;
      }
    }
}

TEST(AdcModel, EqualsLongDoubleReference) {
  std::mt19937_64 rng(5);
  // int64 arithmetic (small), and the 128-bit path (2FL overflows int64)
  for (int bits : {3, 5, 6, 10, 24, 30, 40, 62})
    for (int64_t fs : {int64_t(5), int64_t(1000), int64_t(123457), AdcModel::kMaxFullScale - 3}) {
      const AdcModel adc(bits, fs);
      for (int i = 0; i < 2000; ++i) {
        const int64_t v = int64_t(rng() % uint64_t(2 * fs + 2)) - fs - 1;
        if (bits >= 40 && fs > (int64_t(1) << 30)) {
          // long double cannot check these to the unit; but these ADCs have
          // more codes than F (L >= F), so by docs/crossbar.md every value
          // comes back exactly, clipped at the full scale.
          ASSERT_GE(adc.top_code(), fs);
          ASSERT_EQ(adc.quantize(v), std::clamp(v, -fs, fs)) << bits << " bits, full scale " << fs << ", v " << v;
          continue;
        }
        ASSERT_EQ(adc.quantize(v), reference(bits, fs, v)) << bits << " bits, full scale " << fs << ", v " << v;
      }
    }
  // ideal with a full scale beyond int64-safe products: still exact
  const AdcModel wide(62, AdcModel::kMaxFullScale);
  for (int64_t v : {int64_t(0), int64_t(1), int64_t(123456789), AdcModel::kMaxFullScale - 1, AdcModel::kMaxFullScale})
    EXPECT_EQ(wide.quantize(v), v);
}

// Codes worked out by hand from the definition in docs/crossbar.md
// (code = min(L, round_half_up(v L / F)), v' = round_half_up(code F / L)).
TEST(AdcModel, CoarseCodesByHand) {
  // 2 bits over 0..7: L = 3. Codes: 3v/7 rounded; values back: 7c/3 rounded
  // (0, 2.33, 4.67, 7 -> 0, 2, 5, 7).
  const AdcModel coarse(2, 7);
  const int64_t codes[] = {0, 0, 1, 1, 2, 2, 3, 3, 3, 3};
  const int64_t values[] = {0, 0, 2, 2, 5, 5, 7, 7, 7, 7};
  for (int64_t v = 0; v <= 9; ++v) {
    EXPECT_EQ(coarse.code(v), codes[v]) << v;
    EXPECT_EQ(coarse.quantize(v), values[v]) << v;
    EXPECT_EQ(coarse.quantize(-v), -values[v]) << v;  // sign + magnitude
  }
  const int64_t reconstructed[] = {0, 2, 5, 7};
  for (int64_t c = 0; c <= 3; ++c) EXPECT_EQ(coarse.reconstruct(c), reconstructed[c]) << c;
  // A tie rounds up: 1 bit over 0..2, v = 1 is code 1/2 -> 1 -> value 2 (and -1 -> -2).
  const AdcModel tie(1, 2);
  EXPECT_EQ(tie.code(1), 1);
  EXPECT_EQ(tie.quantize(1), 2);
  EXPECT_EQ(tie.quantize(-1), -2);
  EXPECT_EQ(tie.quantize(0), 0);
  EXPECT_EQ(tie.quantize(5), 2);
  // A wide, coarse ADC on the 128-bit path (2FL ~ 2^65): F = k L with
  // k = 2^16, so code = round_half_up(v / k) and v' = k code exactly.
  const int64_t L = (int64_t(1) << 24) - 1, k = int64_t(1) << 16, F = k * L;
  const AdcModel wide(24, F);
  EXPECT_EQ(wide.top_code(), L);
  EXPECT_EQ(wide.quantize(k / 2 - 1), 0);
  EXPECT_EQ(wide.quantize(k / 2), k);  // the tie rounds up
  EXPECT_EQ(wide.quantize(-(k / 2)), -k);
  EXPECT_EQ(wide.quantize(3 * k / 2 - 1), k);
  EXPECT_EQ(wide.quantize(3 * k / 2), 2 * k);
  EXPECT_EQ(wide.quantize(12345 * k + 7), 12345 * k);
  EXPECT_EQ(wide.quantize(F - k / 2), F);
  EXPECT_EQ(wide.quantize(F - k / 2 - 1), F - k);
  EXPECT_EQ(wide.quantize(F), F);
  EXPECT_EQ(wide.quantize(F + 1), F);  // clipped
  EXPECT_EQ(wide.quantize(-F - 12345), -F);
}

TEST(AdcModel, CountsConversions) {
  const AdcModel adc(4, 30);
  EXPECT_EQ(adc.conversions(), 0u);
  adc.quantize(5);
  EXPECT_EQ(adc.conversions(), 0u);  // quantize is the pure function
  EXPECT_EQ(adc.convert(30), 30);
  adc.convert(-7);
  EXPECT_EQ(adc.conversions(), 2u);
  adc.add_conversions(40);
  EXPECT_EQ(adc.conversions(), 42u);
  AdcModel copy = adc;
  copy.reset_conversions();
  EXPECT_EQ(copy.conversions(), 0u);
  EXPECT_EQ(adc.conversions(), 42u);
}

TEST(AdcModel, ErrorFreeAnalogConversionEqualsTheIntegerOne) {
  RandomLanes rng(1);
  for (int bits : {3, 5, 8})
    for (int64_t fs : {int64_t(7), int64_t(30), int64_t(255), int64_t(1000)}) {
      const AdcModel adc(bits, fs);
      for (int64_t v = -fs - 3; v <= fs + 3; ++v)
        ASSERT_EQ(adc.convert_analog(double(v), rng), adc.quantize(v)) << bits << " bits, fs " << fs << ", v " << v;
    }
}

TEST(AdcModel, ReadNoiseAndAdcNoiseAddAtTheInput) {
  // 2 LSB of ADC noise and read noise of 1.5 (one code per unit): the codes
  // of a block of equal currents have variance 4 + 2.25 plus the
  // rounding's 1/12, mean the input.
  AdcModel adc(10, 1023);
  adc.set_errors(0, 0, 2.0);
  RandomLanes rng(4);
  std::vector<float> v(1001, 400.3f);
  std::vector<int64_t> out(v.size());
  double sum = 0, sum2 = 0;
  const int blocks = 40;
  for (int b = 0; b < blocks; ++b) {
    adc.convert_analog(v.data(), v.size(), 1.5, rng, out.data());
    for (int64_t c : out) {
      sum += double(c);
      sum2 += double(c) * double(c);
    }
  }
  const double n = double(blocks) * double(v.size()), mean = sum / n, variance = sum2 / n - mean * mean;
  const double s2 = 4 + 2.25 + 1.0 / 12;
  EXPECT_NEAR(mean, 400.3, 5 * std::sqrt(s2 / n));
  EXPECT_NEAR(variance, s2, 5 * s2 * std::sqrt(2.0 / n));
}

TEST(AdcModel, BlockConversionEqualsValueByValue) {
  // Without noise the block and the one-value conversion agree everywhere,
  // the clipped ends and negative values included.
  AdcModel adc(6, 200);
  adc.set_errors(0.3, 0.05, 0);
  RandomLanes rng(1);
  std::vector<float> v;
  for (float x = -230; x <= 230; x += 0.37f) v.push_back(x);
  std::vector<int64_t> out(v.size());
  adc.convert_analog(v.data(), v.size(), 0.0, rng, out.data());
  for (size_t i = 0; i < v.size(); ++i) ASSERT_EQ(out[i], adc.convert_analog(double(v[i]), rng)) << v[i];
}

TEST(AdcModel, UnipolarConvertersReadNegativeCurrentsAsZero) {
  RandomLanes rng(1);
  AdcModel adc(8, 255);
  adc.set_bipolar(false);
  EXPECT_EQ(adc.convert_analog(-10, rng), 0);
  EXPECT_EQ(adc.convert_analog(10.4, rng), 10);
  adc.set_errors(0.7, 0, 0);  // the offset acts on the reading: -0.3 + 0.7
  EXPECT_EQ(adc.convert_analog(-0.3, rng), 0);
  EXPECT_EQ(adc.convert_analog(-0.1, rng), 1);
}

TEST(AdcModel, OffsetAndGainShiftTheCodes) {
  // 8 bits over 255: one code per unit, so codes are the reconstructed values.
  RandomLanes rng(1);
  AdcModel adc(8, 255);
  adc.set_errors(0.7, 0, 0);
  EXPECT_FALSE(adc.error_free());
  EXPECT_FALSE(adc.exact());
  EXPECT_EQ(adc.convert_analog(10, rng), 11);   // 10.7
  EXPECT_EQ(adc.convert_analog(10.2, rng), 11);  // 10.9
  EXPECT_EQ(adc.convert_analog(-10, rng), -11);  // sign and magnitude
  EXPECT_EQ(adc.convert_analog(300, rng), 255);  // clips
  adc.set_errors(-0.7, 0, 0);
  EXPECT_EQ(adc.convert_analog(10, rng), 9);  // 9.3
  EXPECT_EQ(adc.convert_analog(0.5, rng), 0);  // below code 0
  adc.set_errors(0, 0.1, 0);
  EXPECT_EQ(adc.convert_analog(100, rng), 110);
  EXPECT_EQ(adc.convert_analog(240, rng), 255);
  // 4 bits over 150: 10 units per code; offset in codes.
  AdcModel coarse(4, 150);
  coarse.set_errors(1, 0, 0);
  EXPECT_EQ(coarse.convert_analog(40, rng), 50);  // code 4 + 1
}

TEST(AdcModel, NoiseStatisticsAreTheConfiguredLsb) {
  // Noise of 2 LSB on an input at a code: the codes' mean is the input, their
  // variance 2^2 plus the rounding's 1/12.
  AdcModel adc(10, 1023);
  adc.set_errors(0, 0, 2.0);
  RandomLanes rng(9);
  const int n = 20000;
  double sum = 0, sum2 = 0;
  for (int i = 0; i < n; ++i) {
    const double v = double(adc.convert_analog(500.3, rng));
    sum += v;
    sum2 += v * v;
  }
  const double mean = sum / n, variance = sum2 / n - mean * mean;
  const double s2 = 4 + 1.0 / 12;
  EXPECT_NEAR(mean, 500.3, 5 * std::sqrt(s2 / n));
  EXPECT_NEAR(variance, s2, 5 * s2 * std::sqrt(2.0 / n));
}

TEST(AdcModel, RejectsBadParameters) {
  EXPECT_THROW(AdcModel(0, 10), Error);
  EXPECT_THROW(AdcModel(63, 10), Error);
  EXPECT_THROW(AdcModel(8, 0), Error);
  EXPECT_THROW(AdcModel(8, AdcModel::kMaxFullScale + 1), Error);
  try {
    AdcModel(70, 10);
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "ADC: resolution of 70 bits is outside 1..62");
  }
}

// An idle read (every current exactly 0, no read noise) drawn directly
// (convert_idle) has the code distribution of convert_analog on zeros: each
// reconstructed value's frequency within 5 binomial standard errors, for
// unipolar and bipolar converters, with and without offset.
TEST(AdcModel, IdleReadsDrawTheCodesOfZeroCurrents) {
  struct Case {
    bool bipolar;
    double offset, noise;
  };
  for (const Case& c : {Case{false, 0, 0.5}, Case{true, 0, 0.5}, Case{false, 0.3, 1.5}, Case{true, -0.2, 2.0},
                        Case{false, 0.7, 0.0}}) {
    AdcModel adc(4, 60);
    adc.set_errors(c.offset, 0.01, c.noise).set_bipolar(c.bipolar);
    ASSERT_TRUE(adc.idle_tabulated());
    const size_t n = 200000;
    std::vector<float> zeros(n, 0.f);
    std::vector<int64_t> direct(n), analog(n);
    RandomLanes r1(11), r2(12);
    for (size_t done = 0; done < n; done += 97) {  // in reads of 97 columns, as a crossbar converts them
      const size_t k = std::min<size_t>(97, n - done);
      adc.convert_idle(k, r1, direct.data() + done);
      adc.convert_analog(zeros.data() + done, k, 0.0, r2, analog.data() + done);
    }
    std::map<int64_t, double> fd, fa;
    for (size_t i = 0; i < n; ++i) fd[direct[i]] += 1.0 / n, fa[analog[i]] += 1.0 / n;
    for (const auto& [value, p] : fa) {
      const double se = std::sqrt(std::max(p * (1 - p), 1.0 / n) / n);
      EXPECT_NEAR(fd[value], p, 5 * std::sqrt(2.0) * se)
          << "value " << value << (c.bipolar ? " bipolar" : " unipolar") << " offset " << c.offset << " noise " << c.noise;
    }
    for (const auto& [value, p] : fd) EXPECT_TRUE(fa.count(value) || p < 1e-4) << "value " << value << " only drawn directly";
    EXPECT_GT(fa.size(), c.noise > 0 ? 2u : 0u) << "the noise must reach several codes, or this shows little";
  }
}

}  // namespace
}  // namespace cimvp
