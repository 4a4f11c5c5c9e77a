// The energy and area models (docs/energy-area.md): per-event energies and
// areas computed here by hand from the formulas and the cited reference
// values, and the trends an architect expects.
#include <gtest/gtest.h>

#include <cmath>

#include "platform/area.h"
#include "platform/energy.h"

namespace cimvp {
namespace {

TEST(EnergyModel, AdcFollowsTheWaldenFigureOfMerit) {
  ArchConfig a;
  a.adc.ns = 1.0;  // 1 GS/s, below the 1.28 GS/s corner
  a.adc.bits = 8;
  EXPECT_NEAR(event_energies(a).adc_pj, 0.0061 * 256, 1e-12);  // ISAAC's 1.56 pJ
  a.adc.bits = 4;
  EXPECT_NEAR(event_energies(a).adc_pj, 0.0061 * 16, 1e-12);
  a.adc.bits = 9;
  EXPECT_NEAR(event_energies(a).adc_pj, 0.0061 * 512, 1e-12);  // doubles per bit
  a.adc.ns = 0.25;  // 4 GS/s: 4 / 1.28 above the corner
  EXPECT_NEAR(event_energies(a).adc_pj, 0.0061 * 512 * 4 / 1.28, 1e-9);
  a.energy.adc_pj = 2.0;  // a fixed value overrides the model
  EXPECT_EQ(event_energies(a).adc_pj, 2.0);
}

TEST(EnergyModel, OtherComponentsFollowTheirParameters) {
  ArchConfig a;
  a.dac.bits = 2;
  a.crossbar.rows = 256;
  a.crossbar.cell_bits = 2;
  a.buffer.bytes = 128 * 1024;
  a.noc.link_bytes = 32;
  const EventEnergies e = event_energies(a);
  EXPECT_NEAR(e.dac_pj, 3 * 0.39, 1e-12);             // 2^2 - 1 level steps
  EXPECT_NEAR(e.crossbar_read_pj, 256 * 1.8e-3, 1e-12);
  EXPECT_NEAR(e.cell_program_pj, 3 * 3.3, 1e-12);      // 3 levels above 0
  EXPECT_NEAR(e.buffer_pj_per_byte, 2.5 * 2, 1e-12);   // sqrt(128 KiB / 32 KiB)
  EXPECT_NEAR(e.noc_pj_per_flit_hop, 32 * 0.8125, 1e-12);
  EXPECT_EQ(e.memory_pj_per_byte, 160.0);
}

TEST(AreaModel, CoreAndChipFromTheComponents) {
  ArchConfig a;  // defaults: 2x2 cores, 2 PEs x 4 crossbars of 256x256, an ADC per 8 columns
  a.adc.ns = 1.0;
  a.adc.bits = 12;
  a.buffer.bytes = 256 * 1024;
  const AreaBreakdown r = area(a);
  EXPECT_EQ(r.adcs_per_crossbar, 32);
  EXPECT_NEAR(r.core_mm2.at("adc"), 8 * 32 * 1200 * 16 * 1e-6, 1e-9);  // 2^(12-8)
  EXPECT_NEAR(r.core_mm2.at("crossbar"), 8 * 65536 * 0.0015 * 1e-6, 1e-12);
  EXPECT_NEAR(r.core_mm2.at("dac"), 8 * 256 * 0.166 * 1e-6, 1e-12);
  EXPECT_NEAR(r.core_mm2.at("buffer"), 256 * 1297 * 1e-6, 1e-9);
  EXPECT_NEAR(r.core_mm2.at("noc"), 16 * 37750 * 1e-6, 1e-9);
  EXPECT_NEAR(r.core_mm2.at("gpeu"), 16 * 1500 * 1e-6, 1e-9);
  double sum = 0;
  for (const auto& [k, v] : r.core_mm2) sum += v;
  EXPECT_NEAR(r.core_total_mm2, sum, 1e-12);
  EXPECT_NEAR(r.chip_total_mm2, 4 * sum, 1e-9);
}

TEST(EnergyAreaTrends, FewerAdcBitsLowerEnergyAndArea) {
  ArchConfig a;
  double last_e = 1e300, last_area = 1e300;
  for (int bits : {12, 10, 8, 6, 4}) {
    a.adc.bits = bits;
    const double e = event_energies(a).adc_pj, s = area(a).chip_total_mm2;
    EXPECT_LT(e, last_e) << bits;
    EXPECT_LT(s, last_area) << bits;
    last_e = e, last_area = s;
  }
}

TEST(EnergyAreaTrends, SharingAnAdcCutsAdcAreaNotEnergyPerConversion) {
  ArchConfig a;
  a.adc.cols_per_adc = 1;
  const double one = area(a).core_mm2.at("adc"), e1 = event_energies(a).adc_pj;
  a.adc.cols_per_adc = 8;
  EXPECT_NEAR(area(a).core_mm2.at("adc"), one / 8, 1e-12);
  EXPECT_EQ(event_energies(a).adc_pj, e1);
}

}  // namespace
}  // namespace cimvp
