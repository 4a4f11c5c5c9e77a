# cimvp firmware image, format version 1
.arch "rich arch \"v2\""
.fingerprint 0x1122334455667788
.layers conv1 fc "3" "/features/0/Conv" ""

.input x dtype=u8 shape=4 address=0x0 scale=1 zero_point=0
.input "image 0" dtype=i8 shape=1x3x8x8 address=0x1000 scale=0.0078125 zero_point=0
.output y dtype=i32 shape=1x2 address=0x40 scale=0.25 zero_point=-3
.output logits dtype=i32 shape=10 address=0x1000 scale=0.333333343 zero_point=0

.block 0 rows=2 cols=2 bits=4 row_offset=0 col_offset=0
  1 -2
  7 -8

.block 1 rows=3 cols=5 bits=8 row_offset=0 col_offset=0
  -72 -114 94 84 -76
  -35 107 122 -3 -106
  28 -27 68 -38 4

.block 2 rows=4 cols=5 bits=7 row_offset=100 col_offset=1
  -2 -27 62 -40 39
  -54 19 30 40 -8
  -33 -44 33 48 -50
  -29 -38 -11 -49 -27

.block 3 rows=5 cols=5 bits=1 row_offset=200 col_offset=2
  0 0 0 0 -1
  0 0 -1 -1 -1
  -1 -1 0 -1 0
  -1 0 -1 0 0
  0 0 -1 -1 0

.segment address=0x0
  01 02 03 04

.segment core=2 address=0x40
  00 07 0e 15 1c 23 2a 31 38 3f 46 4d 54 5b 62 69
  70 77 7e 85 8c 93 9a a1 a8 af b6 bd c4 cb d2 d9
  e0 e7 ee f5 fc

.segment address=0xffffffff00

.core 0
.layer conv1
    xprog 0, 0
    load 0, 0, 4
    mvm 16, 0, xb=0, bits=8
.endlayer
    halt

.core 1

.core 2
.layer conv1
    nop
    halt
.endlayer
.layer "3"
.endlayer
.layer "/features/0/Conv"
    li r1, -123456
    addi r2, r1, 16
L4:
    add r3, r1, r2
    sub r4, r3, r2
    mul r5, r4, r15
    jmp L4
    beq r1, r2, L4
    bne r3, r4, L4
.endlayer
    blt r5, r6, L4
    bge r7, r8, L4
    barrier
    xprog 3, 0
    mvm r9-64, r10+128, xb=2..4, bits=6, signed, acc
    vcfg stride, r11+7
    vreq r1+100, r2+200, r3+300, halfeven
    vmac r4+8, r5+16, -3, signed
    vadd32 r6, r7+4, r8-8
    vmax8 r9+1, r10+2, r11+3, signed
.layer ""
    vfill32 r12+40, -2147483648
    vcopy r13+5, r14+6
    load r1+10, r2+20, r3+30
    store r4+40, r5+50, r6+60
    send 1, r7+70, r8+80
    recv 2, r9+90, r10+100
.endlayer

.core 3
L0:
    nop
    jmp L0
    halt
.range fc 1 3
.range conv1 0 2

.core 4
