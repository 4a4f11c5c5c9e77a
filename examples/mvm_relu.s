# A hand-written program for configs/arch/default.yaml: y = relu(W^T x) of a
# 4 x 3 signed 8-bit weight matrix, requantized to 8 bits, on core 0, then
# sent to core 1, which stores it. Assemble and run it:
#   cimvp asm examples/mvm_relu.s --arch configs/arch/default.yaml -o mvm.img
#   cimvp run --arch configs/arch/default.yaml --firmware mvm.img --input examples/mvm_relu.input.txt
.input x dtype=u8 shape=4 address=0
.output y dtype=u8 shape=3 address=64
.layers mvm relu-requant transfer

.block 0 rows=4 cols=3 bits=8
   1  -2   3
   4   5  -6
  -7   8   9
  10 -11  12

.core 0
.layer mvm
    load 0, 0, 4            # x: 4 bytes from global memory into the buffer
    xprog 0, 0              # program crossbar 0 with block 0
    mvm 16, 0, xb=0, bits=8 # int32 y at buffer 16
.endlayer
.layer relu-requant
    vcfg vl, 3
    vcfg mult, 1
    vcfg shift, 0
    vcfg lo, 0              # ReLU
    vcfg hi, 255
    vreq 32, 16             # y8 = clamp(y32, 0, 255)
.endlayer
.layer transfer
    send 1, 32, 3
.endlayer
    barrier
    halt

.core 1
    recv 0, 0, 3
    store 64, 0, 3
    barrier
    halt
