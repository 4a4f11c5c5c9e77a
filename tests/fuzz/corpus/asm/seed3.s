# cimvp firmware image, format version 1
