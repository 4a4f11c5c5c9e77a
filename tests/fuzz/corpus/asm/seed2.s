# cimvp firmware image, format version 1
.arch tiny
.fingerprint 0x1122334455667788
.timing_only
.layers fc

.input x dtype=u8 shape=4 address=0x0 scale=1 zero_point=0
.output y dtype=i32 shape=1x2 address=0x40 scale=0.25 zero_point=-3

.block 0 rows=2 cols=2 bits=4 row_offset=0 col_offset=0

.segment address=0x0
  01 02 03 04

.core 0
.layer fc
    xprog 0, 0
    load 0, 0, 4
    mvm 16, 0, xb=0, bits=8
.endlayer
    halt

.core 1
