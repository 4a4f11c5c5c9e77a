// Text assembly of whole firmware images (syntax: docs/isa.md, "Assembly").
// The assembler is line oriented: each line is empty, a comment, labels, a
// directive, an instruction, or data for the preceding .block / .segment.
// The disassembler prints exactly the text that assembles back to the same
// image, so both directions are written side by side here.
#include "firmware/assembler.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <sstream>
#include <string_view>

#include "common/error.h"

namespace cimvp {
namespace {


bool is_ident_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool is_ident_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = char(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Names print bare when they look like identifiers, else quoted with escapes.
bool is_bare_name(const std::string& s) {
  if (s.empty() || !is_ident_start(s[0])) return false;
  for (char c : s)
    if (!is_ident_char(c) && c != '.') return false;
  return true;
}

std::string quote_name(const std::string& s) {
  if (is_bare_name(s)) return s;
  std::string out = "\"";
  for (char ch : s) {
    const unsigned char c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c >= 0x20 && c < 0x7f) {
      out += ch;
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    }
  }
  return out + "\"";
}

std::string address(int reg, int32_t imm) {
  if (reg == 0) return std::to_string(imm);
  std::string s = "r" + std::to_string(reg);
  if (imm > 0) s += "+" + std::to_string(imm);
  if (imm < 0) s += "-" + std::to_string(-int64_t(imm));
  return s;
}

std::string reg(int r) { return "r" + std::to_string(r); }

template <typename Target>
std::string format_with(const Instruction& in, Target target) {
  const char* name = mnemonic(in.op);
  if (!name) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%02x", unsigned(in.op));
    return std::string("<unknown opcode ") + buf + ">";
  }
  std::string s = name;
  switch (in.op) {
    case Opcode::Nop:
    case Opcode::Halt:
    case Opcode::Barrier:
      break;
    case Opcode::Li:
      s += " " + reg(in.rd) + ", " + std::to_string(in.imm0);
      break;
    case Opcode::Addi:
      s += " " + reg(in.rd) + ", " + reg(in.ra) + ", " + std::to_string(in.imm0);
      break;
    case Opcode::Add:
    case Opcode::Sub:
    case Opcode::Mul:
      s += " " + reg(in.rd) + ", " + reg(in.ra) + ", " + reg(in.rb);
      break;
    case Opcode::Jmp:
      s += " " + target(in.imm0);
      break;
    case Opcode::Beq:
    case Opcode::Bne:
    case Opcode::Blt:
    case Opcode::Bge:
      s += " " + reg(in.ra) + ", " + reg(in.rb) + ", " + target(in.imm0);
      break;
    case Opcode::Xprog:
      s += " " + std::to_string(in.imm0) + ", " + std::to_string(in.imm1);
      break;
    case Opcode::Mvm: {
      const int first = mvm_first_crossbar(in), count = mvm_crossbar_count(in);
      s += " " + address(in.rd, in.imm1) + ", " + address(in.ra, in.imm2) + ", xb=" + std::to_string(first);
      if (count != 1) s += ".." + std::to_string(first + count - 1);
      s += ", bits=" + std::to_string(mvm_input_bits(in));
      if (in.flags & flag::kMvmSignedInput) s += ", signed";
      if (in.flags & flag::kMvmAccumulate) s += ", acc";
      break;
    }
    case Opcode::Vcfg:
      s += " " + std::string(vcfg_name(VcfgReg(in.flags))) + ", " + address(in.ra, in.imm0);
      break;
    case Opcode::Vreq:
      s += " " + address(in.rd, in.imm0) + ", " + address(in.ra, in.imm1);
      if (in.flags & flag::kVreqBias) s += ", " + address(in.rb, in.imm2);
      if (in.flags & flag::kVreqHalfEven) s += ", halfeven";
      break;
    case Opcode::Vmac:
      s += " " + address(in.rd, in.imm0) + ", " + address(in.ra, in.imm1) + ", " + std::to_string(in.imm2);
      if (in.flags & flag::kSigned8) s += ", signed";
      break;
    case Opcode::Vadd32:
    case Opcode::Vmax8:
    case Opcode::Vlut:
    case Opcode::Vmul8:
    case Opcode::Vsoftmax:
    case Opcode::Load:
    case Opcode::Store:
      s += " " + address(in.rd, in.imm0) + ", " + address(in.ra, in.imm1) + ", " + address(in.rb, in.imm2);
      if ((in.op == Opcode::Vmax8 || in.op == Opcode::Vmul8 || in.op == Opcode::Vsoftmax) && (in.flags & flag::kSigned8))
        s += ", signed";
      if (in.op == Opcode::Vmul8 && (in.flags & flag::kSigned8B)) s += ", bsigned";
      if (in.op == Opcode::Vsoftmax && (in.flags & flag::kSoftmaxLog)) s += ", log";
      break;
    case Opcode::Vfill32:
      s += " " + address(in.rd, in.imm0) + ", " + std::to_string(in.imm1);
      break;
    case Opcode::Vcopy:
      s += " " + address(in.rd, in.imm0) + ", " + address(in.ra, in.imm1);
      break;
    case Opcode::Send:
    case Opcode::Recv:
      s += " " + std::to_string(in.imm0) + ", " + address(in.ra, in.imm1) + ", " + address(in.rb, in.imm2);
      break;
  }
  return s;
}

bool is_branch(Opcode op) {
  return op == Opcode::Jmp || op == Opcode::Beq || op == Opcode::Bne || op == Opcode::Blt || op == Opcode::Bge;
}

// ------------------------------------------------------------------ assembler

struct Token {
  std::string key;  // for key=value
  std::string text;
  bool quoted = false;
  bool has_key = false;
  int col = 0;
  int key_col = 0;
};

struct Item {  // one comma-separated instruction operand
  std::string text;  // without spaces
  int col = 0;
};

struct Fixup {
  size_t index;
  std::string label;
  int line, col;
};

struct CoreState {
  bool defined = false;
  int line = 0;
  std::map<std::string, std::pair<size_t, int>> labels;  // name -> (index, line)
  std::vector<Fixup> fixups;
  std::vector<int> lines;  // source line of each instruction
  int open_range = -1;
  int open_line = 0;
  std::string open_name;
};

class Assembler {
 public:
  Assembler(const std::string& text, const std::string& source, const ArchLimits* limits)
      : text_(text), source_(source), limits_(limits) {}

  FirmwareImage run() {
    size_t start = 0;
    while (start <= text_.size()) {
      size_t end = text_.find('\n', start);
      if (end == std::string::npos) end = text_.size();
      ++line_;
      line_text_ = std::string_view(text_).substr(start, end - start);
      parse_line();
      start = end + 1;
    }
    leave_context();
    finish();
    return std::move(image_);
  }

 private:
  enum class Ctx { None, Core, Block, Segment };

  const std::string& text_;
  const std::string& source_;
  const ArchLimits* limits_;  // null: no architecture to check operands against
  FirmwareImage image_;
  int line_ = 0;
  std::string_view line_text_;
  size_t p_ = 0;  // cursor in the line
  Ctx ctx_ = Ctx::None;
  size_t core_ = 0;
  std::vector<CoreState> cores_;
  int block_line_ = 0;
  bool any_block_ = false;

  // -------------------------------------------------------------- errors
  [[noreturn]] void fail(int col, const std::string& what) const { fail_at(line_, col, what); }
  [[noreturn]] void fail_at(int line, int col, const std::string& what) const {
    std::string where = source_ + ":" + std::to_string(line);
    if (col > 0) where += ":" + std::to_string(col);
    throw Error(where + ": " + what);
  }

  // -------------------------------------------------------------- lexing
  void skip_space() {
    while (p_ < line_text_.size() && is_space(line_text_[p_])) ++p_;
  }
  bool at_end() {
    skip_space();
    return p_ >= line_text_.size();
  }
  int col() const { return int(p_) + 1; }

  std::string read_ident() {
    const size_t b = p_;
    while (p_ < line_text_.size() && is_ident_char(line_text_[p_])) ++p_;
    return std::string(line_text_.substr(b, p_ - b));
  }

  std::string read_quoted() {
    const int start = col();
    ++p_;  // opening quote
    std::string out;
    while (true) {
      if (p_ >= line_text_.size()) fail(start, "unterminated string");
      const char c = line_text_[p_++];
      if (c == '"') return out;
      if (c != '\\') {
        out += c;
        continue;
      }
      if (p_ >= line_text_.size()) fail(start, "unterminated string");
      const char e = line_text_[p_++];
      if (e == '"' || e == '\\') out += e;
      else if (e == 'n') out += '\n';
      else if (e == 't') out += '\t';
      else if (e == 'x' && p_ + 2 <= line_text_.size() && std::isxdigit(static_cast<unsigned char>(line_text_[p_])) &&
               std::isxdigit(static_cast<unsigned char>(line_text_[p_ + 1]))) {
        out += char(std::stoi(std::string(line_text_.substr(p_, 2)), nullptr, 16));
        p_ += 2;
      } else {
        fail(int(p_) - 1, std::string("unknown escape '\\") + e + "' in a string (use \\\" \\\\ \\n \\t \\xHH)");
      }
    }
  }

  // Removes a '#' comment (outside strings) from the current line.
  void strip_comment() {
    bool quoted = false;
    for (size_t i = 0; i < line_text_.size(); ++i) {
      const char c = line_text_[i];
      if (quoted && c == '\\') {
        ++i;
      } else if (c == '"') {
        quoted = !quoted;
      } else if (c == '#' && !quoted) {
        line_text_ = line_text_.substr(0, i);
        return;
      }
    }
  }

  // Directive arguments: words, "quoted strings", key=value, key="value".
  std::vector<Token> read_tokens() {
    std::vector<Token> tokens;
    while (!at_end()) {
      Token t;
      t.col = col();
      if (line_text_[p_] == '"') {
        t.text = read_quoted();
        t.quoted = true;
      } else {
        const size_t b = p_;
        while (p_ < line_text_.size() && !is_space(line_text_[p_]) && line_text_[p_] != '=' && line_text_[p_] != '"')
          ++p_;
        t.text = std::string(line_text_.substr(b, p_ - b));
        if (p_ < line_text_.size() && line_text_[p_] == '=') {
          if (t.text.empty()) fail(t.col, "'=' without a key");
          ++p_;
          t.has_key = true;
          t.key = lower(t.text);
          t.key_col = t.col;
          t.col = col();
          if (p_ < line_text_.size() && line_text_[p_] == '"') {
            t.text = read_quoted();
            t.quoted = true;
          } else {
            const size_t v = p_;
            while (p_ < line_text_.size() && !is_space(line_text_[p_]) && line_text_[p_] != '"') ++p_;
            t.text = std::string(line_text_.substr(v, p_ - v));
            if (t.text.empty()) fail(t.col, "missing value after '" + t.key + "='");
          }
        } else if (p_ < line_text_.size() && line_text_[p_] == '"') {
          fail(col(), "unexpected '\"' in '" + t.text + "'");
        }
      }
      if (p_ < line_text_.size() && !is_space(line_text_[p_])) fail(col(), "expected a space after the argument");
      tokens.push_back(std::move(t));
    }
    return tokens;
  }

  // -------------------------------------------------------------- numbers
  // Parses [+-]digits or [+-]0xhex, exactly, into [lo, hi].
  __int128 number(std::string_view s, int col, __int128 lo, __int128 hi, const std::string& what) const {
    const std::string shown(s);
    size_t i = 0;
    bool negative = false;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) negative = s[i++] == '-';
    int base = 10;
    if (i + 1 < s.size() && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X')) {
      base = 16;
      i += 2;
    }
    if (i >= s.size()) fail(col, "expected " + what + ", found '" + shown + "'");
    __int128 v = 0;
    for (; i < s.size(); ++i) {
      const char c = s[i];
      int d;
      if (c >= '0' && c <= '9') d = c - '0';
      else if (base == 16 && c >= 'a' && c <= 'f') d = c - 'a' + 10;
      else if (base == 16 && c >= 'A' && c <= 'F') d = c - 'A' + 10;
      else fail(col, "expected " + what + ", found '" + shown + "'");
      v = v * base + d;
      if (v > (__int128(1) << 70)) fail(col, what + " '" + shown + "' is out of range");
    }
    if (negative) v = -v;
    if (v < lo || v > hi) {
      fail(col, what + " " + shown + " is out of range " + to_string(lo) + ".." + to_string(hi));
    }
    return v;
  }
  static std::string to_string(__int128 v) {
    if (v < 0) return "-" + to_string(-v);
    std::string s;
    do {
      s.insert(s.begin(), char('0' + int(v % 10)));
      v /= 10;
    } while (v > 0);
    return s;
  }
  // An int32 field: signed values, or unsigned up to 0xffffffff (wrapping).
  int32_t imm32(std::string_view s, int col, const std::string& what) const {
    return int32_t(uint32_t(int64_t(number(s, col, INT32_MIN, UINT32_MAX, what))));
  }
  uint32_t u32(const Token& t, const std::string& what, uint32_t lo = 0) const {
    return uint32_t(number(t.text, t.col, lo, UINT32_MAX, what));
  }
  uint64_t u64(const Token& t, const std::string& what) const {
    return uint64_t(number(t.text, t.col, 0, UINT64_MAX, what));
  }

  // -------------------------------------------------------------- lines
  void parse_line() {
    strip_comment();
    p_ = 0;
    if (at_end()) return;

    // Labels: `name:` at the start of the line, possibly several.
    while (true) {
      skip_space();
      const size_t b = p_;
      if (p_ >= line_text_.size() || !is_ident_start(line_text_[p_])) break;
      const std::string name = read_ident();
      skip_space();
      if (p_ < line_text_.size() && line_text_[p_] == ':') {
        ++p_;
        define_label(name, int(b) + 1);
      } else {
        p_ = b;
        break;
      }
    }
    if (at_end()) return;

    if (line_text_[p_] == '.') {
      directive();
    } else if (ctx_ == Ctx::Block) {
      block_data();
    } else if (ctx_ == Ctx::Segment) {
      segment_data();
    } else {
      instruction();
    }
  }

  CoreState& code_context(int c, const char* what) {
    if (ctx_ == Ctx::None) {
      if (!cores_.empty()) fail(c, std::string(what) + " outside a .core section (add '.core N' before it)");
      enter_core(0, 0);  // a program without any .core is core 0
    }
    if (ctx_ != Ctx::Core) fail(c, std::string(what) + " inside a .block or .segment (instructions go in a .core section)");
    return cores_[core_];
  }

  void define_label(const std::string& name, int c) {
    if (ctx_ == Ctx::Block || ctx_ == Ctx::Segment) fail(c, "label '" + name + "' inside a .block or .segment");
    CoreState& cs = code_context(c, "label");
    const auto it = cs.labels.find(name);
    if (it != cs.labels.end())
      fail(c, "label '" + name + "' is already defined at line " + std::to_string(it->second.second));
    cs.labels[name] = {image_.cores[core_].code.size(), line_};
  }

  // -------------------------------------------------------------- contexts
  void leave_context() {
    if (ctx_ == Ctx::Block) {
      const WeightBlock& b = image_.blocks.back();
      const uint64_t n = uint64_t(b.rows) * b.cols;
      if (!image_.timing_only && b.weights.size() != n)
        fail_at(block_line_, 0, ".block " + std::to_string(image_.blocks.size() - 1) + " has " +
                                    std::to_string(b.weights.size()) + " weights, rows x cols = " + std::to_string(n));
    }
    if (ctx_ == Ctx::Core) {
      const CoreState& cs = cores_[core_];
      if (cs.open_range >= 0)
        fail_at(cs.open_line, 0, "'.layer " + cs.open_name + "' is not closed by .endlayer");
    }
    ctx_ = Ctx::None;
  }

  void enter_core(size_t c, int col) {
    if (c >= cores_.size()) {
      cores_.resize(c + 1);
      image_.cores.resize(c + 1);
    }
    if (cores_[c].defined)
      fail(col, "core " + std::to_string(c) + " is defined twice (first at line " + std::to_string(cores_[c].line) + ")");
    cores_[c].defined = true;
    cores_[c].line = line_;
    core_ = c;
    ctx_ = Ctx::Core;
  }

  // -------------------------------------------------------------- directives
  void directive() {
    const int dcol = col();
    ++p_;
    const std::string name = lower(read_ident());
    if (p_ < line_text_.size() && !is_space(line_text_[p_]))
      fail(dcol, "unknown directive '." + name + std::string(1, line_text_[p_]) + "...'");
    std::vector<Token> args = read_tokens();

    auto expect_args = [&](size_t lo, size_t hi, const char* usage) {
      size_t positional = 0;
      for (const Token& t : args)
        if (!t.has_key) ++positional;
      if (positional < lo || positional > hi) fail(dcol, std::string("usage: ") + usage);
    };
    auto no_keys = [&](const char* usage) {
      for (const Token& t : args)
        if (t.has_key) fail(t.key_col, std::string("unexpected '") + t.key + "=' (usage: " + usage + ")");
    };

    if (name == "core") {
      expect_args(1, 1, ".core N");
      no_keys(".core N");
      const size_t c = size_t(number(args[0].text, args[0].col, 0, 65535, "a core number"));
      leave_context();
      enter_core(c, args[0].col);
    } else if (name == "block") {
      leave_context();
      block(args, dcol);
    } else if (name == "segment") {
      leave_context();
      segment(args, dcol);
    } else if (name == "layer" || name == "endlayer" || name == "range") {
      if (ctx_ != Ctx::Core) fail(dcol, "." + name + " outside a .core section");
      layer_directive(name, args, dcol);
    } else {
      if (ctx_ == Ctx::Block || ctx_ == Ctx::Segment) leave_context();
      if (name == "arch") {
        expect_args(1, 1, ".arch NAME");
        no_keys(".arch NAME");
        image_.arch_name = args[0].text;
      } else if (name == "fingerprint") {
        expect_args(1, 1, ".fingerprint 0xHEX");
        no_keys(".fingerprint 0xHEX");
        image_.arch_fingerprint = u64(args[0], "a 64-bit fingerprint");
      } else if (name == "timing_only") {
        expect_args(0, 0, ".timing_only");
        no_keys(".timing_only");
        if (any_block_) fail(dcol, ".timing_only must come before the first .block");
        image_.timing_only = true;
      } else if (name == "layers") {
        no_keys(".layers NAME...");
        for (const Token& t : args) image_.layer_names.push_back(t.text);
      } else if (name == "input" || name == "output") {
        tensor(name == "input" ? image_.inputs : image_.outputs, name, args, dcol);
      } else {
        fail(dcol, "unknown directive '." + name + "'");
      }
    }
  }

  // key=value arguments of a directive, each known key at most once.
  std::map<std::string, const Token*> keys(const std::vector<Token>& args, std::initializer_list<const char*> allowed,
                                           const std::string& usage) {
    std::map<std::string, const Token*> out;
    for (const Token& t : args) {
      if (!t.has_key) continue;
      if (std::find_if(allowed.begin(), allowed.end(), [&](const char* k) { return t.key == k; }) == allowed.end())
        fail(t.key_col, "unknown key '" + t.key + "' (usage: " + usage + ")");
      if (out.count(t.key)) fail(t.key_col, "key '" + t.key + "' is given twice");
      out[t.key] = &t;
    }
    return out;
  }
  const Token& required(std::map<std::string, const Token*>& k, const char* key, int dcol, const std::string& usage) {
    const auto it = k.find(key);
    if (it == k.end()) fail(dcol, std::string("missing ") + key + "= (usage: " + usage + ")");
    return *it->second;
  }

  void block(const std::vector<Token>& args, int dcol) {
    const std::string usage = ".block N rows=R cols=C bits=B [row_offset=O] [col_offset=O] [adc_full_scale=F,F,...]";
    std::vector<const Token*> positional;
    for (const Token& t : args)
      if (!t.has_key) positional.push_back(&t);
    if (positional.size() != 1) fail(dcol, "usage: " + usage);
    const uint32_t index = u32(*positional[0], "a block number");
    if (index != image_.blocks.size())
      fail(positional[0]->col, ".block " + std::to_string(index) + " out of order: blocks are numbered 0, 1, 2, ... and " +
                                   std::to_string(image_.blocks.size()) + " comes next");
    auto k = keys(args, {"rows", "cols", "bits", "row_offset", "col_offset", "adc_full_scale"}, usage);
    WeightBlock b;
    b.rows = u32(required(k, "rows", dcol, usage), "rows", 1);
    b.cols = u32(required(k, "cols", dcol, usage), "cols", 1);
    const Token& bits = required(k, "bits", dcol, usage);
    b.weight_bits = uint8_t(number(bits.text, bits.col, 1, kMaxWeightBits, "weight bits"));
    if (k.count("row_offset")) b.row_offset = u32(*k["row_offset"], "row_offset");
    if (k.count("col_offset")) b.col_offset = u32(*k["col_offset"], "col_offset");
    if (k.count("adc_full_scale")) {  // comma-separated, one per column group (docs/image-format.md)
      const Token& t = *k["adc_full_scale"];
      for (size_t at = 0; at <= t.text.size();) {
        const size_t end = std::min(t.text.find(',', at), t.text.size());
        b.adc_full_scale.push_back(int64_t(number(std::string_view(t.text).substr(at, end - at), t.col + int(at), 1,
                                                  kMaxAdcFullScale, "an ADC full scale")));
        at = end + 1;
      }
      if (b.adc_full_scale.size() > kMaxAdcGroups)
        fail(t.col, std::to_string(b.adc_full_scale.size()) + " ADC full scales (at most " +
                        std::to_string(kMaxAdcGroups) + ")");
    }
    image_.blocks.push_back(std::move(b));
    any_block_ = true;
    block_line_ = line_;
    ctx_ = Ctx::Block;
  }

  void block_data() {
    WeightBlock& b = image_.blocks.back();
    const size_t index = image_.blocks.size() - 1;
    if (image_.timing_only)
      fail(col(), "weights for .block " + std::to_string(index) + " in a timing-only image (blocks carry no weights)");
    const uint64_t n = uint64_t(b.rows) * b.cols;
    const int lo = -(1 << (b.weight_bits - 1)), hi = (1 << (b.weight_bits - 1)) - 1;
    while (!at_end()) {
      const int c = col();
      const size_t s = p_;
      while (p_ < line_text_.size() && !is_space(line_text_[p_])) ++p_;
      const std::string_view word = line_text_.substr(s, p_ - s);
      if (!word.empty() && is_ident_start(word[0]))
        fail(c, "expected a weight of .block " + std::to_string(index) + ", found '" + std::string(word) +
                    "' (instructions go in a .core section)");
      if (b.weights.size() >= n)
        fail(c, "too many weights for .block " + std::to_string(index) + " (rows x cols = " + std::to_string(n) + ")");
      const int v = int(number(word, c, -32768, 32767, "a weight"));
      if (v < lo || v > hi)
        fail(c, "weight " + std::to_string(v) + " is outside the signed " + std::to_string(int(b.weight_bits)) +
                    "-bit range " + std::to_string(lo) + ".." + std::to_string(hi));
      b.weights.push_back(int16_t(v));
    }
  }

  void segment(const std::vector<Token>& args, int dcol) {
    const std::string usage = ".segment [core=N] address=A";
    for (const Token& t : args)
      if (!t.has_key) fail(t.col, "unexpected '" + t.text + "' (usage: " + usage + ")");
    auto k = keys(args, {"core", "address"}, usage);
    MemorySegment s;
    if (k.count("core")) s.core = u32(*k["core"], "a core number");
    s.address = u64(required(k, "address", dcol, usage), "an address");
    image_.segments.push_back(std::move(s));
    ctx_ = Ctx::Segment;
  }

  void segment_data() {
    MemorySegment& s = image_.segments.back();
    while (!at_end()) {
      const int c = col();
      const size_t b = p_;
      while (p_ < line_text_.size() && !is_space(line_text_[p_])) ++p_;
      const std::string_view word = line_text_.substr(b, p_ - b);
      const bool hex = std::all_of(word.begin(), word.end(), [](char ch) { return std::isxdigit(static_cast<unsigned char>(ch)); });
      if (!hex || word.size() % 2)
        fail(c, "expected hex bytes like '0a ff' in .segment " + std::to_string(image_.segments.size() - 1) +
                    ", found '" + std::string(word) + "'");
      for (size_t i = 0; i < word.size(); i += 2)
        s.bytes.push_back(uint8_t(std::stoi(std::string(word.substr(i, 2)), nullptr, 16)));
    }
  }

  void tensor(std::vector<TensorLayout>& list, const std::string& kind, const std::vector<Token>& args, int dcol) {
    const std::string usage = "." + kind + " NAME dtype=i8|u8|i32 shape=DxDx.. address=A [scale=S] [zero_point=Z]";
    std::vector<const Token*> positional;
    for (const Token& t : args)
      if (!t.has_key) positional.push_back(&t);
    if (positional.size() != 1) fail(dcol, "usage: " + usage);
    auto k = keys(args, {"dtype", "shape", "address", "scale", "zero_point"}, usage);
    TensorLayout t;
    t.name = positional[0]->text;
    const Token& dtype = required(k, "dtype", dcol, usage);
    const std::string d = lower(dtype.text);
    if (d == "i8") t.dtype = DType::I8;
    else if (d == "u8") t.dtype = DType::U8;
    else if (d == "i32") t.dtype = DType::I32;
    else fail(dtype.col, "unknown dtype '" + dtype.text + "' (i8, u8 or i32)");
    const Token& shape = required(k, "shape", dcol, usage);
    size_t b = 0;
    const std::string& st = shape.text;
    while (true) {
      size_t e = st.find_first_of("xX", b);
      if (e == std::string::npos) e = st.size();
      t.shape.push_back(uint32_t(number(std::string_view(st).substr(b, e - b), shape.col + int(b), 1, UINT32_MAX,
                                        "a dimension")));
      if (e == st.size()) break;
      b = e + 1;
    }
    t.address = u64(required(k, "address", dcol, usage), "an address");
    if (k.count("scale")) {
      const Token& s = *k["scale"];
      char* end = nullptr;
      t.scale = std::strtof(s.text.c_str(), &end);
      if (end != s.text.c_str() + s.text.size() || s.text.empty() || !std::isfinite(t.scale))
        fail(s.col, "expected a finite number for scale, found '" + s.text + "'");
    }
    if (k.count("zero_point"))
      t.zero_point = int32_t(number(k["zero_point"]->text, k["zero_point"]->col, INT32_MIN, INT32_MAX, "a zero point"));
    list.push_back(std::move(t));
  }

  uint32_t layer_index(const Token& t) {
    const bool digits = !t.quoted && !t.text.empty() &&
                        std::all_of(t.text.begin(), t.text.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (digits) {
      const uint32_t i = u32(t, "a layer index");
      if (i >= image_.layer_names.size())
        fail(t.col, "layer " + t.text + " does not exist (.layers names " + std::to_string(image_.layer_names.size()) +
                        " layers)");
      return i;
    }
    int found = -1;
    for (size_t i = 0; i < image_.layer_names.size(); ++i) {
      if (image_.layer_names[i] != t.text) continue;
      if (found >= 0)
        fail(t.col, "layer name '" + t.text + "' is declared twice in .layers; refer to it by index (" +
                        std::to_string(found) + " or " + std::to_string(i) + ")");
      found = int(i);
    }
    if (found >= 0) return uint32_t(found);
    image_.layer_names.push_back(t.text);  // first use declares it
    return uint32_t(image_.layer_names.size() - 1);
  }

  void layer_directive(const std::string& name, const std::vector<Token>& args, int dcol) {
    CoreState& cs = cores_[core_];
    CoreProgram& core = image_.cores[core_];
    for (const Token& t : args)
      if (t.has_key) fail(t.key_col, "unexpected '" + t.key + "=' in ." + name);
    if (name == "layer") {
      if (args.size() != 1) fail(dcol, "usage: .layer NAME (instructions until .endlayer belong to layer NAME)");
      if (cs.open_range >= 0)
        fail(dcol, "'.layer " + cs.open_name + "' at line " + std::to_string(cs.open_line) +
                       " is still open (close it with .endlayer; layers do not nest)");
      LayerRange r;
      r.layer = layer_index(args[0]);
      r.begin = r.end = uint32_t(core.code.size());
      cs.open_range = int(core.layers.size());
      cs.open_line = line_;
      cs.open_name = args[0].text;
      core.layers.push_back(r);
    } else if (name == "endlayer") {
      if (!args.empty()) fail(args[0].col, "usage: .endlayer");
      if (cs.open_range < 0) fail(dcol, ".endlayer without .layer");
      core.layers[size_t(cs.open_range)].end = uint32_t(core.code.size());
      cs.open_range = -1;
    } else {  // range
      if (args.size() != 3) fail(dcol, "usage: .range LAYER BEGIN END (instruction indices, END exclusive)");
      LayerRange r;
      r.layer = layer_index(args[0]);
      r.begin = u32(args[1], "an instruction index");
      r.end = u32(args[2], "an instruction index");
      core.layers.push_back(r);
    }
  }

  // -------------------------------------------------------------- instructions
  std::vector<Item> operands() {
    std::vector<Item> items;
    if (at_end()) return items;
    while (true) {
      skip_space();
      Item it;
      it.col = col();
      while (p_ < line_text_.size() && line_text_[p_] != ',') {
        if (!is_space(line_text_[p_])) it.text += line_text_[p_];
        ++p_;
      }
      if (it.text.empty()) fail(it.col, "missing operand");
      items.push_back(std::move(it));
      if (p_ >= line_text_.size()) break;
      ++p_;  // comma
    }
    return items;
  }

  int parse_reg(const Item& it) const {
    if (it.text.size() < 2 || (it.text[0] != 'r' && it.text[0] != 'R') ||
        !std::all_of(it.text.begin() + 1, it.text.end(), [](char c) { return c >= '0' && c <= '9'; }))
      fail(it.col, "expected a register r0..r15, found '" + it.text + "'");
    if (it.text.size() > 3 || std::stoi(it.text.substr(1)) >= kNumRegisters)
      fail(it.col, "register '" + it.text + "' does not exist (r0..r15)");
    return std::stoi(it.text.substr(1));
  }

  // "r3+16", "r3-4", "r3", "16", "-4", "0x40". Offsets and constants are
  // signed 32-bit values, refused as written when they do not fit (they are
  // not wrapped: "4000000000" is not the address -294967296). A constant
  // `what` (a byte count) is in [lo, INT32_MAX].
  std::pair<int, int32_t> parse_address(const Item& it, const char* what = "an address",
                                        int64_t lo = INT32_MIN) const {
    const std::string& s = it.text;
    if (!s.empty() && (s[0] == 'r' || s[0] == 'R') && s.size() > 1 && std::isdigit(static_cast<unsigned char>(s[1]))) {
      size_t i = 1;
      while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
      Item r{s.substr(0, i), it.col};
      const int reg_no = parse_reg(r);
      if (i == s.size()) return {reg_no, 0};
      if (s[i] != '+' && s[i] != '-')
        fail(it.col, "expected an address like r3+16, r3-4 or 64, found '" + s + "'");
      return {reg_no, int32_t(number(std::string_view(s).substr(i), it.col + int(i), INT32_MIN, INT32_MAX, "an offset"))};
    }
    if (s.empty() || !(std::isdigit(static_cast<unsigned char>(s[0])) || s[0] == '-' || s[0] == '+'))
      fail(it.col, "expected an address like r3+16, r3-4 or 64, found '" + s + "'");
    return {0, int32_t(number(s, it.col, lo, INT32_MAX, what))};
  }

  void instruction() {
    const int mcol = col();
    const size_t b = p_;
    while (p_ < line_text_.size() && !is_space(line_text_[p_])) ++p_;
    const std::string word = lower(line_text_.substr(b, p_ - b));
    const std::optional<Opcode> op = opcode_from_mnemonic(word);
    if (!op) fail(mcol, "unknown mnemonic '" + std::string(line_text_.substr(b, p_ - b)) + "'");
    CoreState& cs = code_context(mcol, "instruction");
    CoreProgram& core = image_.cores[core_];

    std::vector<Item> all = operands();
    // Options: key=value anywhere, and the opcode's keywords.
    std::vector<const char*> keywords;
    if (*op == Opcode::Mvm) keywords = {"signed", "acc"};
    if (*op == Opcode::Vmac || *op == Opcode::Vmax8) keywords = {"signed"};
    if (*op == Opcode::Vmul8) keywords = {"signed", "bsigned"};
    if (*op == Opcode::Vsoftmax) keywords = {"signed", "log"};
    if (*op == Opcode::Vreq) keywords = {"halfeven"};
    std::vector<Item> pos;
    std::map<std::string, Item> opts;
    for (const Item& it : all) {
      const size_t eq = it.text.find('=');
      std::string key;
      if (eq != std::string::npos) key = lower(it.text.substr(0, eq));
      else if (std::find_if(keywords.begin(), keywords.end(), [&](const char* k) { return lower(it.text) == k; }) !=
               keywords.end())
        key = lower(it.text);
      if (key.empty() && eq == std::string::npos) {
        if (!opts.empty()) fail(it.col, "operand '" + it.text + "' after the options");
        pos.push_back(it);
        continue;
      }
      const bool known = (*op == Opcode::Mvm && (key == "xb" || key == "bits")) ||
                         std::find_if(keywords.begin(), keywords.end(), [&](const char* k) { return key == k; }) !=
                             keywords.end();
      if (!known) fail(it.col, "unknown option '" + it.text + "' for " + word);
      if (opts.count(key)) fail(it.col, "option '" + key + "' is given twice");
      Item v = it;
      v.text = eq == std::string::npos ? "" : it.text.substr(eq + 1);
      v.col = it.col + int(eq == std::string::npos ? 0 : eq + 1);
      if (eq != std::string::npos && v.text.empty()) fail(v.col, "missing value after '" + key + "='");
      if (eq != std::string::npos && (key == "signed" || key == "acc" || key == "halfeven"))
        fail(it.col, "option '" + key + "' takes no value");
      opts[key] = v;
    }

    Instruction in;
    in.op = *op;
    auto arity = [&](size_t lo, size_t hi, const char* usage) {
      if (pos.size() < lo || pos.size() > hi)
        fail(mcol, std::string("'") + word + "' takes " +
                       (lo == hi ? std::to_string(lo) : std::to_string(lo) + " or " + std::to_string(hi)) +
                       " operands, found " + std::to_string(pos.size()) + " (usage: " + usage + ")");
    };
    auto addr = [&](size_t i, uint8_t& r, int32_t& imm) {
      const auto [reg_no, off] = parse_address(pos[i]);
      r = uint8_t(reg_no);
      imm = off;
    };
    auto byte_count = [&](size_t i, uint8_t& r, int32_t& imm) {
      const auto [reg_no, off] = parse_address(pos[i], "a byte count", 0);
      r = uint8_t(reg_no);
      imm = off;
    };
    auto target = [&](size_t i) {
      const Item& it = pos[i];
      if (is_ident_start(it.text[0])) {
        cs.fixups.push_back({core.code.size(), it.text, line_, it.col});
        return int32_t(0);
      }
      return int32_t(number(it.text, it.col, 0, INT32_MAX, "a label or instruction index"));
    };

    switch (*op) {
      case Opcode::Nop:
      case Opcode::Halt:
      case Opcode::Barrier:
        arity(0, 0, word.c_str());
        break;
      case Opcode::Li:
        arity(2, 2, "li rD, VALUE");
        in.rd = uint8_t(parse_reg(pos[0]));
        in.imm0 = imm32(pos[1].text, pos[1].col, "a value");
        break;
      case Opcode::Addi:
        arity(3, 3, "addi rD, rA, VALUE");
        in.rd = uint8_t(parse_reg(pos[0]));
        in.ra = uint8_t(parse_reg(pos[1]));
        in.imm0 = imm32(pos[2].text, pos[2].col, "a value");
        break;
      case Opcode::Add:
      case Opcode::Sub:
      case Opcode::Mul:
        arity(3, 3, (word + " rD, rA, rB").c_str());
        in.rd = uint8_t(parse_reg(pos[0]));
        in.ra = uint8_t(parse_reg(pos[1]));
        in.rb = uint8_t(parse_reg(pos[2]));
        break;
      case Opcode::Jmp:
        arity(1, 1, "jmp LABEL");
        in.imm0 = target(0);
        break;
      case Opcode::Beq:
      case Opcode::Bne:
      case Opcode::Blt:
      case Opcode::Bge:
        arity(3, 3, (word + " rA, rB, LABEL").c_str());
        in.ra = uint8_t(parse_reg(pos[0]));
        in.rb = uint8_t(parse_reg(pos[1]));
        in.imm0 = target(2);
        break;
      case Opcode::Xprog:
        arity(2, 2, "xprog CROSSBAR, BLOCK");
        in.imm0 = int32_t(number(pos[0].text, pos[0].col, 0, INT32_MAX, "a crossbar index"));
        in.imm1 = int32_t(number(pos[1].text, pos[1].col, 0, INT32_MAX, "a weight block index"));
        break;
      case Opcode::Mvm: {
        const char* usage = "mvm OUT, IN, xb=FIRST..LAST, bits=1..8 [, signed] [, acc]";
        arity(2, 2, usage);
        addr(0, in.rd, in.imm1);
        addr(1, in.ra, in.imm2);
        if (!opts.count("xb")) fail(mcol, std::string("mvm needs xb=FIRST..LAST (usage: ") + usage + ")");
        const Item& xb = opts["xb"];
        const size_t dots = xb.text.find("..");
        const int first = int(number(std::string_view(xb.text).substr(0, dots), xb.col, 0, 0xffff, "a crossbar index"));
        int last = first;
        if (dots != std::string::npos)
          last = int(number(std::string_view(xb.text).substr(dots + 2), xb.col + int(dots) + 2, first, first + 0xfffe,
                            "the last crossbar"));
        in.imm0 = mvm_pack_crossbars(first, last - first + 1);
        int bits = 8;
        if (opts.count("bits")) bits = int(number(opts["bits"].text, opts["bits"].col, 1, 8, "input bits"));
        in.flags = uint8_t(bits - 1);
        if (opts.count("signed")) in.flags |= flag::kMvmSignedInput;
        if (opts.count("acc")) in.flags |= flag::kMvmAccumulate;
        break;
      }
      case Opcode::Vcfg: {
        arity(2, 2, "vcfg vl|mult|shift|zp|lo|hi|rows|stride, VALUE or rA+VALUE");
        const std::string r = lower(pos[0].text);
        int k = 0;
        while (k < kNumVcfgRegs && r != vcfg_name(VcfgReg(k))) ++k;
        if (k == kNumVcfgRegs)
          fail(pos[0].col, "unknown GPEU config register '" + pos[0].text + "' (vl, mult, shift, zp, lo, hi, rows, stride)");
        in.flags = uint8_t(k);
        addr(1, in.ra, in.imm0);
        break;
      }
      case Opcode::Vreq:
        arity(2, 3, "vreq DST, SRC [, BIAS] [, halfeven]");
        addr(0, in.rd, in.imm0);
        addr(1, in.ra, in.imm1);
        if (pos.size() == 3) {
          addr(2, in.rb, in.imm2);
          in.flags |= flag::kVreqBias;
        }
        if (opts.count("halfeven")) in.flags |= flag::kVreqHalfEven;
        break;
      case Opcode::Vmac:
        arity(3, 3, "vmac DST, SRC, MULTIPLIER [, signed]");
        addr(0, in.rd, in.imm0);
        addr(1, in.ra, in.imm1);
        in.imm2 = imm32(pos[2].text, pos[2].col, "a multiplier");
        if (opts.count("signed")) in.flags |= flag::kSigned8;
        break;
      case Opcode::Vadd32:
      case Opcode::Vmax8:
        arity(3, 3, *op == Opcode::Vadd32 ? "vadd32 DST, A, B" : "vmax8 DST, A, B [, signed]");
        addr(0, in.rd, in.imm0);
        addr(1, in.ra, in.imm1);
        addr(2, in.rb, in.imm2);
        if (opts.count("signed")) in.flags |= flag::kSigned8;
        break;
      case Opcode::Vlut:
      case Opcode::Vmul8:
        arity(3, 3, *op == Opcode::Vlut ? "vlut DST, SRC, TABLE" : "vmul8 DST, A, B [, signed] [, bsigned]");
        addr(0, in.rd, in.imm0);
        addr(1, in.ra, in.imm1);
        addr(2, in.rb, in.imm2);
        if (opts.count("signed")) in.flags |= flag::kSigned8;
        if (opts.count("bsigned")) in.flags |= flag::kSigned8B;
        break;
      case Opcode::Vsoftmax:
        arity(3, 3, "vsoftmax DST, SRC, CONSTANTS [, signed] [, log]");
        addr(0, in.rd, in.imm0);
        addr(1, in.ra, in.imm1);
        addr(2, in.rb, in.imm2);
        if (opts.count("signed")) in.flags |= flag::kSigned8;
        if (opts.count("log")) in.flags |= flag::kSoftmaxLog;
        break;
      case Opcode::Vfill32:
        arity(2, 2, "vfill32 DST, VALUE");
        addr(0, in.rd, in.imm0);
        in.imm1 = imm32(pos[1].text, pos[1].col, "a value");
        break;
      case Opcode::Vcopy:
        arity(2, 2, "vcopy DST, SRC");
        addr(0, in.rd, in.imm0);
        addr(1, in.ra, in.imm1);
        break;
      case Opcode::Load:
      case Opcode::Store:
        arity(3, 3, *op == Opcode::Load ? "load BUF, MEM, BYTES" : "store MEM, BUF, BYTES");
        addr(0, in.rd, in.imm0);
        addr(1, in.ra, in.imm1);
        byte_count(2, in.rb, in.imm2);
        break;
      case Opcode::Send:
      case Opcode::Recv:
        arity(3, 3, *op == Opcode::Send ? "send CORE, BUF, BYTES" : "recv CORE, BUF, BYTES");
        in.imm0 = int32_t(number(pos[0].text, pos[0].col, 0, INT32_MAX, "a core number"));
        addr(1, in.ra, in.imm1);
        byte_count(2, in.rb, in.imm2);
        break;
    }
    core.code.push_back(in);
    cs.lines.push_back(line_);
  }

  // -------------------------------------------------------------- the end
  void finish() {
    for (size_t c = 0; c < cores_.size(); ++c) {
      CoreState& cs = cores_[c];
      CoreProgram& core = image_.cores[c];
      for (const Fixup& f : cs.fixups) {
        const auto it = cs.labels.find(f.label);
        if (it == cs.labels.end())
          fail_at(f.line, f.col, "label '" + f.label + "' is not defined in core " + std::to_string(c));
        if (it->second.first > size_t(INT32_MAX)) fail_at(f.line, f.col, "label '" + f.label + "' is too far");
        core.code[f.index].imm0 = int32_t(it->second.first);
      }
      for (size_t i = 0; i < core.code.size(); ++i) {
        std::string problem = instruction_problem(core.code[i], core.code.size(), image_.blocks.size());
        if (problem.empty() && limits_) {
          problem = instruction_arch_problem(core.code[i], int(c), *limits_);
          if (!problem.empty()) problem = std::string(mnemonic(core.code[i].op)) + " " + problem;
        }
        if (!problem.empty()) fail_at(cs.lines[i], 0, problem);
      }
    }
    validate_image(image_, source_);
  }
};

}  // namespace

std::string format_instruction(const Instruction& in) {
  return format_with(in, [](int32_t t) { return std::to_string(t); });
}

FirmwareImage assemble(const std::string& text, const std::string& source, const ArchLimits* limits) {
  return Assembler(text, source, limits).run();
}

std::string disassemble(const FirmwareImage& image) {
  std::ostringstream o;
  o << "# cimvp firmware image, format version " << image.version << "\n";
  if (!image.arch_name.empty()) o << ".arch " << quote_name(image.arch_name) << "\n";
  if (image.arch_fingerprint != 0) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "0x%016llx", static_cast<unsigned long long>(image.arch_fingerprint));
    o << ".fingerprint " << buf << "\n";
  }
  if (image.timing_only) o << ".timing_only\n";
  for (size_t i = 0; i < image.layer_names.size(); ++i)
    o << (i % 8 == 0 ? (i ? "\n.layers " : ".layers ") : " ") << quote_name(image.layer_names[i]);
  if (!image.layer_names.empty()) o << "\n";

  auto tensors = [&](const std::vector<TensorLayout>& list, const char* kind) {
    for (const TensorLayout& t : list) {
      o << "." << kind << " " << quote_name(t.name) << " dtype=" << dtype_name(t.dtype) << " shape=";
      for (size_t d = 0; d < t.shape.size(); ++d) o << (d ? "x" : "") << t.shape[d];
      char scale[40];
      std::snprintf(scale, sizeof scale, "%.9g", double(t.scale));
      o << " address=0x" << std::hex << t.address << std::dec << " scale=" << scale
        << " zero_point=" << t.zero_point << "\n";
    }
  };
  if (!image.inputs.empty() || !image.outputs.empty()) o << "\n";
  tensors(image.inputs, "input");
  tensors(image.outputs, "output");

  for (size_t b = 0; b < image.blocks.size(); ++b) {
    const WeightBlock& w = image.blocks[b];
    o << "\n.block " << b << " rows=" << w.rows << " cols=" << w.cols << " bits=" << int(w.weight_bits)
      << " row_offset=" << w.row_offset << " col_offset=" << w.col_offset;
    for (size_t g = 0; g < w.adc_full_scale.size(); ++g) o << (g ? "," : " adc_full_scale=") << w.adc_full_scale[g];
    o << "\n";
    for (size_t k = 0; k < w.weights.size(); ++k)
      o << ((w.cols && k % w.cols == 0) ? "  " : " ") << w.weights[k]
        << ((w.cols && (k + 1) % w.cols == 0) || k + 1 == w.weights.size() ? "\n" : "");
  }

  for (size_t s = 0; s < image.segments.size(); ++s) {
    const MemorySegment& seg = image.segments[s];
    o << "\n.segment ";
    if (seg.core != kGlobalMemory) o << "core=" << seg.core << " ";
    o << "address=0x" << std::hex << seg.address << std::dec << "\n";
    char buf[4];
    for (size_t i = 0; i < seg.bytes.size(); ++i) {
      std::snprintf(buf, sizeof buf, "%02x", seg.bytes[i]);
      o << (i % 16 == 0 ? "  " : " ") << buf << ((i % 16 == 15 || i + 1 == seg.bytes.size()) ? "\n" : "");
    }
  }

  // Names are unique in the common case; duplicates are referred to by index.
  auto layer_ref = [&](uint32_t layer) {
    if (layer >= image.layer_names.size()) return std::to_string(layer);
    const std::string& name = image.layer_names[layer];
    if (std::count(image.layer_names.begin(), image.layer_names.end(), name) > 1) return std::to_string(layer);
    return quote_name(name);
  };

  for (size_t c = 0; c < image.cores.size(); ++c) {
    const CoreProgram& core = image.cores[c];
    const size_t n = core.code.size();
    o << "\n.core " << c << "\n";
    std::vector<bool> labelled(n + 1, false);
    for (const Instruction& in : core.code)
      if (is_branch(in.op) && in.imm0 >= 0 && size_t(in.imm0) <= n) labelled[size_t(in.imm0)] = true;
    auto target = [&](int32_t t) {
      return (t >= 0 && size_t(t) <= n) ? "L" + std::to_string(t) : std::to_string(t);
    };
    // .layer/.endlayer blocks need ranges in order and not overlapping;
    // anything else is written as explicit .range lines.
    bool blocks = true;
    for (size_t k = 0; k < core.layers.size(); ++k) {
      const LayerRange& r = core.layers[k];
      if (r.begin > r.end || r.end > n || (k > 0 && r.begin < core.layers[k - 1].end)) blocks = false;
    }
    size_t next = 0;
    bool open = false;
    uint32_t open_end = 0;
    for (size_t i = 0; i <= n; ++i) {
      if (blocks) {
        if (open && open_end == i) {
          o << ".endlayer\n";
          open = false;
        }
        while (!open && next < core.layers.size() && core.layers[next].begin == i) {
          const LayerRange& r = core.layers[next++];
          o << ".layer " << layer_ref(r.layer) << "\n";
          if (r.end == i) o << ".endlayer\n";
          else {
            open = true;
            open_end = r.end;
          }
        }
      }
      if (labelled[i]) o << "L" << i << ":\n";
      if (i < n) o << "    " << format_with(core.code[i], target) << "\n";
    }
    if (!blocks)
      for (const LayerRange& r : core.layers)
        o << ".range " << layer_ref(r.layer) << " " << r.begin << " " << r.end << "\n";
  }
  return o.str();
}

}  // namespace cimvp
