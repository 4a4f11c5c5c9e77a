// Policies: YAML parsing, wXaY specs, errors naming the file and entry.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "common/error.h"
#include "nn/policy.h"

using namespace cimvp;

namespace {

std::string error_of(const std::string& yaml, int layers) {
  try {
    policy_from_yaml(yaml, "p.yaml", layers);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(Policy, ParsesYamlAndRoundTrips) {
  const Policy p = policy_from_yaml("model: lenet5\nweight_bits: [8, 4, 2, 1, 8]\nactivation_bits: [8, 6, 5, 3, 2]\n",
                                    "p.yaml", 5);
  EXPECT_EQ(p.model, "lenet5");
  EXPECT_EQ(p.weight_bits, (std::vector<int>{8, 4, 2, 1, 8}));
  EXPECT_EQ(p.activation_bits, (std::vector<int>{8, 6, 5, 3, 2}));
  EXPECT_EQ(p.str(), "mixed");
  const Policy q = policy_from_yaml(to_yaml(p), "again", 5);
  EXPECT_EQ(q, p);
  EXPECT_EQ(q.model, "lenet5");
}

TEST(Policy, FileRoundTrip) {
  const std::string path = ::testing::TempDir() + "/policy_test.yaml";
  Policy p = uniform_policy(3, 4, 6);
  p.weight_bits[1] = 2;
  save_policy(p, path);
  EXPECT_EQ(load_policy(path, 3), p);
  try {
    load_policy(path, 4);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
  }
  std::remove(path.c_str());
  EXPECT_THROW(load_policy(path), Error);
}

TEST(Policy, ErrorsNameFileAndEntry) {
  std::string e = error_of("weight_bits: [8, 8]\nactivation_bits: [8, 8]\n", 3);
  EXPECT_NE(e.find("p.yaml"), std::string::npos) << e;
  EXPECT_NE(e.find("weight_bits has 2 entries"), std::string::npos) << e;
  EXPECT_NE(e.find("3 quantizable layers"), std::string::npos) << e;

  e = error_of("weight_bits: [8, 9]\nactivation_bits: [8, 8]\n", 2);
  EXPECT_NE(e.find("p.yaml:1:"), std::string::npos) << e;
  EXPECT_NE(e.find("weight_bits[1]: 9 is outside 1..8"), std::string::npos) << e;

  e = error_of("weight_bits: [8, 8]\nactivation_bits: [0, 8]\n", 2);
  EXPECT_NE(e.find("p.yaml:2:"), std::string::npos) << e;
  EXPECT_NE(e.find("activation_bits[0]: 0 is outside 1..8"), std::string::npos) << e;

  e = error_of("weight_bits: [8, eight]\nactivation_bits: [8, 8]\n", 2);
  EXPECT_NE(e.find("weight_bits[1]: 'eight' is not an integer"), std::string::npos) << e;

  e = error_of("weight_bits: [8, 4.5]\nactivation_bits: [8, 8]\n", 2);
  EXPECT_NE(e.find("weight_bits[1]"), std::string::npos) << e;

  e = error_of("weight_bits: 8\nactivation_bits: [8]\n", 1);
  EXPECT_NE(e.find("'weight_bits' must be a list"), std::string::npos) << e;

  e = error_of("weight_bits: [8]\n", 1);
  EXPECT_NE(e.find("missing key 'activation_bits'"), std::string::npos) << e;

  e = error_of("weight_bits: [8]\nactivation_bits: [8]\nweigth_bits: [1]\n", 1);
  EXPECT_NE(e.find("unknown key 'weigth_bits'"), std::string::npos) << e;

  e = error_of("weight_bits: [8, 8]\nactivation_bits: [8]\n", -1);
  EXPECT_NE(e.find("activation_bits has 1"), std::string::npos) << e;

  e = error_of("weight_bits: [8\n", 1);
  EXPECT_NE(e.find("invalid YAML"), std::string::npos) << e;

  e = error_of("- 8\n- 8\n", 1);
  EXPECT_NE(e.find("must be a mapping"), std::string::npos) << e;
}

TEST(Policy, BitsSpec) {
  const Policy p = parse_bits_spec("w4a6", 3);
  EXPECT_EQ(p.weight_bits, (std::vector<int>{4, 4, 4}));
  EXPECT_EQ(p.activation_bits, (std::vector<int>{6, 6, 6}));
  EXPECT_EQ(p.str(), "w4a6");
  EXPECT_EQ(parse_bits_spec("W1A8", 2).weight_bits, (std::vector<int>{1, 1}));
  for (const char* bad : {"w8", "a8w8", "w9a8", "w0a8", "w8a9", "w8a8x", "", "w-1a8", "w 8a8", "w008a8", "w99999999999a8"}) {
    try {
      parse_bits_spec(bad, 2);
      ADD_FAILURE() << "accepted '" << bad << "'";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("'" + std::string(bad) + "'"), std::string::npos) << e.what();
    }
  }
}
