// `cimvp compile` on bad input, through the real binary: a malformed ONNX
// file, an unsupported operator, a policy of the wrong length, bits out of
// range, a network that cannot fit the architecture even with reprogramming.
// Each gives one clear line naming the problem and exit status 1 (an error
// the program understood, never an internal error or a crash).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <onnx/onnx_pb.h>
#include <sstream>
#include <vector>

#include "tests/support/cli.h"
#include "tests/support/paths.h"

namespace cimvp {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

using test::cimvp;
using test::Outcome;

// Names of their own: other tests share the temporary directory.
std::string temp(const std::string& name) { return test::temp_path("compile_cli_", name); }
void write_file(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}
std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

const std::string kDefault = test::source_path("configs/arch/default.yaml");

// One clear message: exit status 1, one line starting "cimvp compile: ",
// no internal error, and no image written.
void expect_clean_error(const Outcome& o, const std::string& image) {
  EXPECT_EQ(o.status, 1) << o.output;
  EXPECT_THAT(o.output, ::testing::StartsWith("cimvp compile: ")) << o.output;
  EXPECT_THAT(o.output, Not(HasSubstr("internal error")));
  EXPECT_EQ(std::count(o.output.begin(), o.output.end(), '\n'), 1) << o.output;
  EXPECT_FALSE(std::ifstream(image).good()) << "an image was written despite the error";
}

std::string compile_args(const std::string& arch, const std::string& model, const std::string& policy_args,
                         const std::string& image) {
  std::remove(image.c_str());  // so that expect_clean_error sees whether this run wrote it
  return "compile --arch " + arch + " --model " + model + " " + policy_args + " -o " + image;
}

TEST(CompileCli, GoodInputCompiles) {  // the baseline the bad cases differ from
  const std::string image = temp("good.img");
  const Outcome o = cimvp(compile_args(kDefault, "lenet5", "--bits w8a8", image));
  EXPECT_EQ(o.status, 0) << o.output;
  EXPECT_THAT(o.output, HasSubstr("wrote"));
  EXPECT_TRUE(std::ifstream(image).good());
}

// --placement: auto keeps lenet5 resident on default.yaml, per-layer is
// honoured, resident is refused where the weights do not fit, a wrong name
// lists the valid ones; the run report separates set-up and inference.
TEST(CompileCli, PlacementChoices) {
  const std::string image = temp("placed.img"), report = temp("placed.json");
  Outcome o = cimvp(compile_args(kDefault, "lenet5", "--bits w8a8 --explain", image));
  ASSERT_EQ(o.status, 0) << o.output;
  EXPECT_THAT(o.output, HasSubstr("resident placement"));
  EXPECT_THAT(o.output, HasSubstr("crossbars hold weights, programmed once before inference"));
  EXPECT_THAT(o.output, HasSubstr("core 0:  conv1[xb 0: column tiles 0, rows 0-"));  // the per-core map
  o = cimvp("run --arch " + kDefault + " --firmware " + image + " --mode timing --report " + report);
  ASSERT_EQ(o.status, 0) << o.output;
  EXPECT_THAT(o.output, HasSubstr("inference"));
  const std::string json = read_file(report);
  for (const char* key : {"\"setup_cycles\"", "\"inference_cycles\"", "\"inference_seconds\"",
                          "\"inference_energy_joules\"", "\"name\": \"weights\""})
    EXPECT_THAT(json, HasSubstr(key));

  o = cimvp(compile_args(kDefault, "lenet5", "--bits w8a8 --placement per-layer", image));
  ASSERT_EQ(o.status, 0) << o.output;
  EXPECT_THAT(o.output, HasSubstr("per-layer placement"));

  o = cimvp(compile_args(kDefault, "vgg-small", "--bits w8a8 --placement resident", image));
  expect_clean_error(o, image);
  EXPECT_THAT(o.output, HasSubstr("resident placement is impossible"));

  // vgg-small at W8 does not fit default.yaml: auto keeps some layers resident (mixed).
  o = cimvp(compile_args(kDefault, "vgg-small", "--bits w8a8 --explain", image));
  ASSERT_EQ(o.status, 0) << o.output;
  EXPECT_THAT(o.output, HasSubstr("mixed placement: crossbars 0-"));
  EXPECT_THAT(o.output, HasSubstr("of every core are reprogrammed by the per-layer layers"));

  o = cimvp(compile_args(kDefault, "lenet5", "--bits w8a8 --placement stationary", image));
  expect_clean_error(o, image);
  EXPECT_THAT(o.output, HasSubstr("unknown placement 'stationary' (valid: auto, resident, per-layer, mixed)"));
}

TEST(CompileCli, MalformedOnnxNamesTheFile) {
  const std::string model = temp("garbage.onnx"), image = temp("garbage.img");
  write_file(model, "this is not a protobuf \x01\x02\x03\xff\xfe");
  const Outcome o = cimvp(compile_args(kDefault, model, "--bits w8a8", image));
  expect_clean_error(o, image);
  EXPECT_THAT(o.output, HasSubstr("garbage.onnx"));
  // A real model cut short is malformed too.
  const std::string cut = temp("cut.onnx");
  const std::string whole = read_file(test::source_path("tests/fixtures/onnx/lenet5_float.onnx"));
  ASSERT_GT(whole.size(), 1000u);
  write_file(cut, whole.substr(0, whole.size() / 2));
  const Outcome c = cimvp(compile_args(kDefault, cut, "--bits w8a8", image));
  expect_clean_error(c, image);
  EXPECT_THAT(c.output, HasSubstr("cut.onnx"));
}

// x [1,1,8,8] -> Relu -> `op` (node `node`) -> y.
std::string model_with(const std::string& op, const std::string& node) {
  onnx::ModelProto m;
  m.set_ir_version(7);
  m.add_opset_import()->set_version(13);
  auto* g = m.mutable_graph();
  g->set_name("g");
  auto* in = g->add_input();
  in->set_name("x");
  auto* tt = in->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(onnx::TensorProto::FLOAT);
  for (int d : {1, 1, 8, 8}) tt->mutable_shape()->add_dim()->set_dim_value(d);
  auto* out = g->add_output();
  out->set_name("y");
  out->mutable_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::FLOAT);
  out->mutable_type()->mutable_tensor_type()->mutable_shape();
  auto* relu = g->add_node();
  relu->set_op_type("Relu");
  relu->set_name("relu1");
  relu->add_input("x");
  relu->add_output("r");
  auto* n = g->add_node();
  n->set_op_type(op);
  n->set_name(node);
  n->add_input("r");
  n->add_output("y");
  return m.SerializeAsString();
}

TEST(CompileCli, UnsupportedOperatorNamesOperatorAndNode) {
  for (const auto& [op, node] : std::vector<std::pair<std::string, std::string>>{{"Hardmax", "probabilities"},
                                                                                   {"Softsign", "squash"}}) {
    SCOPED_TRACE(op);
    const std::string model = temp(op + ".onnx"), image = temp(op + ".img");
    write_file(model, model_with(op, node));
    const Outcome o = cimvp(compile_args(kDefault, model, "--bits w8a8", image));
    expect_clean_error(o, image);
    EXPECT_THAT(o.output, HasSubstr(op));
    EXPECT_THAT(o.output, HasSubstr(node));
  }
}

TEST(CompileCli, PolicyOfTheWrongLengthNamesTheFile) {
  const std::string policy = temp("short.yaml"), image = temp("short.img");
  write_file(policy, "weight_bits: [8, 8, 8]\nactivation_bits: [8, 8, 8]\n");  // lenet5 has 5 layers
  const Outcome o = cimvp(compile_args(kDefault, "lenet5", "--policy " + policy, image));
  expect_clean_error(o, image);
  EXPECT_THAT(o.output, HasSubstr("short.yaml"));
  EXPECT_THAT(o.output, HasSubstr("5"));
  EXPECT_THAT(o.output, HasSubstr("3"));
}

TEST(CompileCli, OutOfRangeBitsNameTheEntry) {
  const std::string policy = temp("nine.yaml"), image = temp("nine.img");
  write_file(policy, "weight_bits: [8, 8, 9, 8, 8]\nactivation_bits: [8, 8, 8, 8, 8]\n");
  const Outcome o = cimvp(compile_args(kDefault, "lenet5", "--policy " + policy, image));
  expect_clean_error(o, image);
  EXPECT_THAT(o.output, HasSubstr("nine.yaml"));
  EXPECT_THAT(o.output, HasSubstr("weight_bits[2]"));
  EXPECT_THAT(o.output, HasSubstr("9"));

  write_file(policy, "weight_bits: [8, 8, 8, 8, 8]\nactivation_bits: [8, 0, 8, 8, 8]\n");
  const Outcome z = cimvp(compile_args(kDefault, "lenet5", "--policy " + policy, image));
  expect_clean_error(z, image);
  EXPECT_THAT(z.output, HasSubstr("activation_bits[1]"));

  for (const char* spec : {"w9a8", "w8a0", "w0a0", "wxa8"}) {
    SCOPED_TRACE(spec);
    const Outcome b = cimvp(compile_args(kDefault, "lenet5", std::string("--bits ") + spec, image));
    expect_clean_error(b, image);
    EXPECT_THAT(b.output, HasSubstr(spec));
  }
}

// The default architecture with one key replaced (written by the test).
std::string arch_with(const std::string& name, const std::string& key, const std::string& line) {
  std::istringstream in(read_file(kDefault));
  std::ostringstream out;
  std::string l, section;
  bool replaced = false;
  while (std::getline(in, l)) {
    if (!l.empty() && l[0] != ' ' && l[0] != '#') section = l.substr(0, l.find(':'));
    if (section == key.substr(0, key.find('.')) && l.rfind("  " + key.substr(key.find('.') + 1) + ":", 0) == 0) {
      out << "  " << line << "\n";
      replaced = true;
    } else {
      out << l << "\n";
    }
  }
  EXPECT_TRUE(replaced) << key;
  const std::string path = temp(name + ".yaml");
  write_file(path, "# " + name + "\n" + out.str());
  return path;
}

TEST(CompileCli, NetworkThatCannotFitNamesTheLayerAndTheSizes) {
  const std::string image = temp("nofit.img");
  // 1500-byte buffers: lenet5's biases (944 bytes) fit, but conv2's 10-pixel
  // output row with its 5 input rows and 150-byte patch does not, and no
  // reprogramming or chunking can make one output row smaller.
  const std::string tiny = arch_with("tiny-buffer", "buffer.bytes", "bytes: 1500");
  const Outcome o = cimvp(compile_args(tiny, "lenet5", "--bits w8a8", image));
  expect_clean_error(o, image);
  EXPECT_THAT(o.output, HasSubstr("conv2"));
  EXPECT_THAT(o.output, HasSubstr("local buffer"));

  // 16 KiB of global memory cannot hold vgg-small's feature maps.
  const std::string small_memory = arch_with("tiny-memory", "memory.bytes", "bytes: 16384");
  const Outcome m = cimvp(compile_args(small_memory, "vgg-small", "--bits w8a8", image));
  expect_clean_error(m, image);
  EXPECT_THAT(m.output, HasSubstr("global memory"));

  // The buffer that does hold it compiles (the limit is the buffer, not the model).
  const std::string roomy = arch_with("roomy-buffer", "buffer.bytes", "bytes: 4096");
  EXPECT_EQ(cimvp(compile_args(roomy, "lenet5", "--bits w8a8", image)).status, 0);
}

TEST(CompileCli, UnknownModelAndMissingFilesAreErrors) {
  const std::string image = temp("missing.img");
  expect_clean_error(cimvp(compile_args(kDefault, "no-such-model", "--bits w8a8", image)), image);
  const Outcome o = cimvp(compile_args(kDefault, temp("absent.onnx"), "--bits w8a8", image));
  expect_clean_error(o, image);
  EXPECT_THAT(o.output, HasSubstr("absent.onnx"));
}

}  // namespace
}  // namespace cimvp

namespace cimvp {
namespace {

// `cimvp layers` counts a grouped convolution's weights, not the zeros across
// groups of its dense matrix: mobilenet-small's block2_dw is 72 channels in
// 72 groups of one 3x3 kernel each, 72 x 9 = 648 weights.
TEST(LayersCli, CountsAGroupedConvolutionsOwnWeights) {
  const Outcome o = cimvp("layers --model " + test::source_path("pretrained/mobilenet-small-fmnist-float.cimvp"));
  ASSERT_EQ(o.status, 0) << o.output;
  std::istringstream lines(o.output);
  std::string line;
  bool found = false;
  while (std::getline(lines, line))
    if (line.find(" block2_dw ") != std::string::npos) {
      std::istringstream fields(line);
      std::vector<std::string> f{std::istream_iterator<std::string>(fields), std::istream_iterator<std::string>()};
      ASSERT_EQ(f.size(), 10u) << line;
      EXPECT_EQ(f[8], "72") << line;   // groups
      EXPECT_EQ(f[9], "648") << line;  // weights
      found = true;
    }
  EXPECT_TRUE(found) << o.output;
}

}  // namespace
}  // namespace cimvp
