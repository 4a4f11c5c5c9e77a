// Functional exactness of the VP: MVM programs over matrices larger than one
// crossbar, for every cell width, DAC width, weight (1..8, 9, 12, 16) and input width, signed
// and unsigned inputs and every signed-weight mapping, give exactly the
// integer product computed independently here when the ADC is ideal.
#include <gtest/gtest.h>

#include <memory>
#include <random>

#include "models/adc.h"
#include "platform/soc.h"
#include "tests/support/tiling.h"

namespace cimvp {
namespace {

ArchConfig small_arch(int cell_bits, int dac_bits, WeightMapping mapping) {
  ArchConfig a;
  a.name = "exactness";
  a.mesh.rows = a.mesh.cols = 1;
  a.core.pes = 2;
  a.core.crossbars_per_pe = 2;
  a.crossbar.rows = 32;
  a.crossbar.cols = 32;
  a.crossbar.cell_bits = cell_bits;
  a.dac.bits = dac_bits;
  a.crossbar.mapping = mapping;
  a.adc.bits = 16;  // >= log2(32 * 15 * 3): ideal
  a.buffer.bytes = 4096;
  a.memory.bytes = 4096;
  return a;
}

void check_mapping(WeightMapping mapping) {
  std::vector<std::unique_ptr<Soc>> socs;
  for (int cell_bits : {1, 2, 4})
    for (int dac_bits : {1, 2}) {
      const ArchConfig a = small_arch(cell_bits, dac_bits, mapping);
      ASSERT_TRUE(AdcModel(a).exact());
      socs.push_back(std::make_unique<Soc>(("soc_c" + std::to_string(cell_bits) + "_d" + std::to_string(dac_bits)).c_str(), a));
    }
  std::mt19937 rng(1234 + int(mapping));
  for (auto& soc : socs) {
    const ArchConfig& a = soc->arch();
    for (int wb : {1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 16})  // policy widths and wider (ONNX zero points)
      for (int ib = 1; ib <= 8; ++ib)
        for (bool is_signed : {false, true}) {
          // larger than one crossbar in both directions for every mapping
          const int rows = a.crossbar.max_tile_rows() + 7;
          const int cols = a.crossbar.max_tile_cols(wb) * 2 + 1;
          const test::Matrix m = test::random_matrix(rng, rows, cols, wb);
          const std::vector<uint8_t> x = test::random_input(rng, rows, ib, is_signed);
          int tiles = 0;
          soc->load(test::mvm_image(a, m, wb, ib, is_signed, 1024, &tiles));
          ASSERT_GE(tiles, 4);
          const RunResult r = soc->run(RunMode::Functional, {x});
          const std::vector<int32_t> y = test::as_int32(r.outputs[0]);
          const std::vector<int64_t> expected = test::reference_product(m, x, is_signed);
          ASSERT_EQ(y.size(), expected.size());
          for (size_t j = 0; j < y.size(); ++j)
            ASSERT_EQ(int64_t(y[j]), expected[j])
                << "cell_bits " << a.crossbar.cell_bits << " dac_bits " << a.dac.bits << " mapping "
                << mapping_name(a.crossbar.mapping) << " weight bits " << wb << " input bits " << ib
                << (is_signed ? " signed" : " unsigned") << " output " << j;
        }
  }
}

TEST(MvmExactness, DifferentialColumn) { check_mapping(WeightMapping::DifferentialColumn); }
TEST(MvmExactness, DifferentialRow) { check_mapping(WeightMapping::DifferentialRow); }
TEST(MvmExactness, Offset) { check_mapping(WeightMapping::Offset); }

}  // namespace
}  // namespace cimvp
