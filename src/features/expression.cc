#include "features/expression.h"

#include <fast_float/fast_float.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <set>

namespace upcamp {

enum class Op {
  kNumber,
  kString,
  kColumn,
  kNeg,
  kNot,
  kAdd,
  kSub,
  kMul,
  kDiv,
  kLt,
  kLe,
  kGt,
  kGe,
  kEq,
  kNe,
  kAnd,
  kOr,
  kCall,
};

enum class Fn {
  kAbs,
  kLog,
  kLog1p,
  kExp,
  kSqrt,
  kFloor,
  kCeil,
  kRound,
  kPow,
  kMin,
  kMax,
  kClip,
  kIsNull,
  kNotNull,
  kFillNa,
  kWhere
};

struct FnSpec {
  std::string_view name;
  Fn fn;
  int min_args, max_args;  // max_args -1: variadic
};

constexpr FnSpec kFunctions[] = {
    {"abs", Fn::kAbs, 1, 1},       {"log", Fn::kLog, 1, 1},         {"log1p", Fn::kLog1p, 1, 1},
    {"exp", Fn::kExp, 1, 1},       {"sqrt", Fn::kSqrt, 1, 1},       {"floor", Fn::kFloor, 1, 1},
    {"ceil", Fn::kCeil, 1, 1},     {"round", Fn::kRound, 1, 1},     {"pow", Fn::kPow, 2, 2},
    {"min", Fn::kMin, 2, -1},      {"max", Fn::kMax, 2, -1},        {"clip", Fn::kClip, 3, 3},
    {"isnull", Fn::kIsNull, 1, 1}, {"notnull", Fn::kNotNull, 1, 1}, {"fillna", Fn::kFillNa, 2, 2},
    {"where", Fn::kWhere, 3, 3},
};

struct Expression::Node {
  Op op;
  double number = 0;
  std::string name;  // column name, string literal or function name
  Fn fn = Fn::kAbs;
  size_t pos = 0;  // 0-based offset in the text, for error messages
  std::vector<std::shared_ptr<const Node>> args;
};

namespace {

using NodePtr = std::shared_ptr<const Expression::Node>;
using Node = Expression::Node;

enum class Tok { kEnd, kNumber, kString, kIdent, kOp, kLParen, kRParen, kComma };

struct Token {
  Tok kind;
  std::string text;
  double number = 0;
  size_t pos = 0;
};

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  Result<NodePtr> ParseAll() {
    UPCAMP_RETURN_IF_ERROR(Next());
    if (tok_.kind == Tok::kEnd) return Error(0, "empty expression");
    UPCAMP_ASSIGN_OR_RETURN(NodePtr root, ParseOr());
    if (tok_.kind != Tok::kEnd) return Error(tok_.pos, fmt::format("unexpected '{}'", tok_.text));
    return root;
  }

 private:
  Status Error(size_t pos, std::string_view what) const {
    return Status::Config("expression \"{}\": {} at column {}\n  {}\n  {}^", text_, what, pos + 1,
                          text_, std::string(pos, ' '));
  }

  Status Next() {
    size_t i = pos_;
    while (i < text_.size() && (text_[i] == ' ' || text_[i] == '\t' || text_[i] == '\n')) ++i;
    tok_ = Token{Tok::kEnd, "", 0, i};
    if (i >= text_.size()) {
      pos_ = i;
      return Status::Ok();
    }
    const char c = text_[i];
    auto is_ident_start = [](char ch) {
      return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_';
    };
    auto is_ident = [&](char ch) { return is_ident_start(ch) || (ch >= '0' && ch <= '9'); };
    if ((c >= '0' && c <= '9') ||
        (c == '.' && i + 1 < text_.size() && text_[i + 1] >= '0' && text_[i + 1] <= '9')) {
      double v = 0;
      auto res = fast_float::from_chars(text_.data() + i, text_.data() + text_.size(), v);
      if (res.ec != std::errc()) return Error(i, "bad number");
      const size_t end = static_cast<size_t>(res.ptr - text_.data());
      if (end < text_.size() && is_ident(text_[end])) return Error(i, "bad number");
      tok_ = Token{Tok::kNumber, std::string(text_.substr(i, end - i)), v, i};
      pos_ = end;
      return Status::Ok();
    }
    if (is_ident_start(c)) {
      size_t j = i;
      while (j < text_.size() && is_ident(text_[j])) ++j;
      tok_ = Token{Tok::kIdent, std::string(text_.substr(i, j - i)), 0, i};
      pos_ = j;
      return Status::Ok();
    }
    if (c == '`' || c == '\'' || c == '"') {
      const size_t close = text_.find(c, i + 1);
      if (close == std::string_view::npos) {
        return Error(i, c == '`' ? "unterminated `column name`" : "unterminated string");
      }
      tok_ = Token{c == '`' ? Tok::kIdent : Tok::kString,
                   std::string(text_.substr(i + 1, close - i - 1)), 0, i};
      if (c == '`' && tok_.text.empty()) return Error(i, "empty `column name`");
      pos_ = close + 1;
      return Status::Ok();
    }
    if (c == '(' || c == ')' || c == ',') {
      tok_ = Token{c == '('   ? Tok::kLParen
                   : c == ')' ? Tok::kRParen
                              : Tok::kComma,
                   std::string(1, c), 0, i};
      pos_ = i + 1;
      return Status::Ok();
    }
    for (std::string_view op : {"<=", ">=", "==", "!=", "<", ">", "+", "-", "*", "/"}) {
      if (text_.substr(i, op.size()) == op) {
        tok_ = Token{Tok::kOp, std::string(op), 0, i};
        pos_ = i + op.size();
        return Status::Ok();
      }
    }
    if (c == '=') return Error(i, "'=' is not an operator (use '==' to compare)");
    return Error(i, fmt::format("unexpected character '{}'", c));
  }

  bool IsKeyword(std::string_view kw) const { return tok_.kind == Tok::kIdent && tok_.text == kw; }
  bool IsOp(std::string_view op) const { return tok_.kind == Tok::kOp && tok_.text == op; }

  static NodePtr Make(Op op, size_t pos, std::vector<NodePtr> args) {
    auto n = std::make_shared<Node>();
    n->op = op;
    n->pos = pos;
    n->args = std::move(args);
    return n;
  }

  Result<NodePtr> ParseOr() {
    UPCAMP_ASSIGN_OR_RETURN(NodePtr lhs, ParseAnd());
    while (IsKeyword("or")) {
      const size_t pos = tok_.pos;
      UPCAMP_RETURN_IF_ERROR(Next());
      UPCAMP_ASSIGN_OR_RETURN(NodePtr rhs, ParseAnd());
      lhs = Make(Op::kOr, pos, {lhs, rhs});
    }
    return lhs;
  }

  Result<NodePtr> ParseAnd() {
    UPCAMP_ASSIGN_OR_RETURN(NodePtr lhs, ParseNot());
    while (IsKeyword("and")) {
      const size_t pos = tok_.pos;
      UPCAMP_RETURN_IF_ERROR(Next());
      UPCAMP_ASSIGN_OR_RETURN(NodePtr rhs, ParseNot());
      lhs = Make(Op::kAnd, pos, {lhs, rhs});
    }
    return lhs;
  }

  Result<NodePtr> ParseNot() {
    if (IsKeyword("not")) {
      const size_t pos = tok_.pos;
      UPCAMP_RETURN_IF_ERROR(Next());
      UPCAMP_ASSIGN_OR_RETURN(NodePtr arg, ParseNot());
      return Make(Op::kNot, pos, {arg});
    }
    return ParseCompare();
  }

  Result<NodePtr> ParseCompare() {
    UPCAMP_ASSIGN_OR_RETURN(NodePtr lhs, ParseSum());
    static const std::pair<std::string_view, Op> kCmp[] = {{"<", Op::kLt},  {"<=", Op::kLe},
                                                           {">", Op::kGt},  {">=", Op::kGe},
                                                           {"==", Op::kEq}, {"!=", Op::kNe}};
    for (const auto& [text, op] : kCmp) {
      if (!IsOp(text)) continue;
      const size_t pos = tok_.pos;
      UPCAMP_RETURN_IF_ERROR(Next());
      UPCAMP_ASSIGN_OR_RETURN(NodePtr rhs, ParseSum());
      const bool lhs_str = lhs->op == Op::kString, rhs_str = rhs->op == Op::kString;
      if ((lhs_str || rhs_str) && op != Op::kEq && op != Op::kNe) {
        return Error(pos, "strings can only be compared with == or !=");
      }
      if (lhs_str && rhs_str) return Error(pos, "comparing two strings");
      if ((lhs_str && rhs->op != Op::kColumn) || (rhs_str && lhs->op != Op::kColumn)) {
        return Error(pos, "a string can only be compared with a column");
      }
      NodePtr node = Make(op, pos, {lhs, rhs});
      if (tok_.kind == Tok::kOp &&
          (IsOp("<") || IsOp("<=") || IsOp(">") || IsOp(">=") || IsOp("==") || IsOp("!="))) {
        return Error(tok_.pos, "comparisons cannot be chained; use 'and'");
      }
      return node;
    }
    return lhs;
  }

  Result<NodePtr> ParseSum() {
    UPCAMP_ASSIGN_OR_RETURN(NodePtr lhs, ParseProduct());
    while (IsOp("+") || IsOp("-")) {
      const Op op = IsOp("+") ? Op::kAdd : Op::kSub;
      const size_t pos = tok_.pos;
      UPCAMP_RETURN_IF_ERROR(Next());
      UPCAMP_ASSIGN_OR_RETURN(NodePtr rhs, ParseProduct());
      UPCAMP_RETURN_IF_ERROR(CheckNumeric(lhs));
      UPCAMP_RETURN_IF_ERROR(CheckNumeric(rhs));
      lhs = Make(op, pos, {lhs, rhs});
    }
    return lhs;
  }

  Result<NodePtr> ParseProduct() {
    UPCAMP_ASSIGN_OR_RETURN(NodePtr lhs, ParseUnary());
    while (IsOp("*") || IsOp("/")) {
      const Op op = IsOp("*") ? Op::kMul : Op::kDiv;
      const size_t pos = tok_.pos;
      UPCAMP_RETURN_IF_ERROR(Next());
      UPCAMP_ASSIGN_OR_RETURN(NodePtr rhs, ParseUnary());
      UPCAMP_RETURN_IF_ERROR(CheckNumeric(lhs));
      UPCAMP_RETURN_IF_ERROR(CheckNumeric(rhs));
      lhs = Make(op, pos, {lhs, rhs});
    }
    return lhs;
  }

  Result<NodePtr> ParseUnary() {
    if (IsOp("-") || IsOp("+")) {
      const bool neg = IsOp("-");
      const size_t pos = tok_.pos;
      UPCAMP_RETURN_IF_ERROR(Next());
      UPCAMP_ASSIGN_OR_RETURN(NodePtr arg, ParseUnary());
      UPCAMP_RETURN_IF_ERROR(CheckNumeric(arg));
      return neg ? Make(Op::kNeg, pos, {arg}) : arg;
    }
    return ParsePrimary();
  }

  Status CheckNumeric(const NodePtr& n) const {
    if (n->op == Op::kString) return Error(n->pos, "a string cannot be used in arithmetic");
    return Status::Ok();
  }

  Result<NodePtr> ParsePrimary() {
    const Token t = tok_;
    switch (t.kind) {
      case Tok::kNumber: {
        UPCAMP_RETURN_IF_ERROR(Next());
        auto n = std::make_shared<Node>();
        n->op = Op::kNumber;
        n->number = t.number;
        n->pos = t.pos;
        return NodePtr(n);
      }
      case Tok::kString: {
        UPCAMP_RETURN_IF_ERROR(Next());
        auto n = std::make_shared<Node>();
        n->op = Op::kString;
        n->name = t.text;
        n->pos = t.pos;
        return NodePtr(n);
      }
      case Tok::kLParen: {
        UPCAMP_RETURN_IF_ERROR(Next());
        UPCAMP_ASSIGN_OR_RETURN(NodePtr inner, ParseOr());
        if (tok_.kind != Tok::kRParen) return Error(tok_.pos, "expected ')'");
        UPCAMP_RETURN_IF_ERROR(Next());
        return inner;
      }
      case Tok::kIdent: {
        const bool backticked = text_[t.pos] == '`';
        if (!backticked && (t.text == "and" || t.text == "or" || t.text == "not")) {
          return Error(t.pos, fmt::format("expected a value before '{}'", t.text));
        }
        UPCAMP_RETURN_IF_ERROR(Next());
        if (!backticked && (t.text == "true" || t.text == "false")) {
          auto n = std::make_shared<Node>();
          n->op = Op::kNumber;
          n->number = t.text == "true" ? 1.0 : 0.0;
          n->pos = t.pos;
          return NodePtr(n);
        }
        if (!backticked && tok_.kind == Tok::kLParen) return ParseCall(t);
        auto n = std::make_shared<Node>();
        n->op = Op::kColumn;
        n->name = t.text;
        n->pos = t.pos;
        return NodePtr(n);
      }
      case Tok::kEnd:
        return Error(t.pos, "unexpected end of expression");
      default:
        return Error(t.pos, fmt::format("unexpected '{}'", t.text));
    }
  }

  Result<NodePtr> ParseCall(const Token& name) {
    const FnSpec* spec = nullptr;
    for (const auto& f : kFunctions) {
      if (f.name == name.text) spec = &f;
    }
    if (!spec) {
      std::vector<std::string_view> names;
      for (const auto& f : kFunctions) names.push_back(f.name);
      return Error(name.pos, fmt::format("unknown function '{}' (known: {})", name.text,
                                         fmt::join(names, ", ")));
    }
    UPCAMP_RETURN_IF_ERROR(Next());  // '('
    std::vector<NodePtr> args;
    if (tok_.kind != Tok::kRParen) {
      while (true) {
        UPCAMP_ASSIGN_OR_RETURN(NodePtr a, ParseOr());
        if (spec->fn != Fn::kIsNull && spec->fn != Fn::kNotNull) {
          UPCAMP_RETURN_IF_ERROR(CheckNumeric(a));
        } else if (a->op == Op::kString) {
          return Error(a->pos, "isnull/notnull take a column or a numeric expression");
        }
        args.push_back(std::move(a));
        if (tok_.kind == Tok::kComma) {
          UPCAMP_RETURN_IF_ERROR(Next());
          continue;
        }
        break;
      }
    }
    if (tok_.kind != Tok::kRParen) return Error(tok_.pos, "expected ',' or ')'");
    const int n = static_cast<int>(args.size());
    if (n < spec->min_args || (spec->max_args >= 0 && n > spec->max_args)) {
      const std::string want = spec->max_args < 0 ? fmt::format("at least {}", spec->min_args)
                               : spec->min_args == spec->max_args
                                   ? fmt::format("{}", spec->min_args)
                                   : fmt::format("{} to {}", spec->min_args, spec->max_args);
      return Error(name.pos, fmt::format("{}() takes {} argument{}, got {}", spec->name, want,
                                         spec->max_args == 1 ? "" : "s", n));
    }
    UPCAMP_RETURN_IF_ERROR(Next());  // ')'
    auto node = std::make_shared<Node>();
    node->op = Op::kCall;
    node->fn = spec->fn;
    node->name = std::string(spec->name);
    node->pos = name.pos;
    node->args = std::move(args);
    return NodePtr(node);
  }

  std::string_view text_;
  size_t pos_ = 0;
  Token tok_{Tok::kEnd, "", 0, 0};
};

void CollectColumns(const Node& n, std::set<std::string>& out) {
  if (n.op == Op::kColumn) out.insert(n.name);
  for (const auto& a : n.args) CollectColumns(*a, out);
}

constexpr double kNaN = kNullFloat64;

class Evaluator {
 public:
  Evaluator(const Table& table, std::string_view text) : table_(table), text_(text) {}

  Result<std::vector<double>> Eval(const Node& n) {
    const size_t rows = table_.num_rows();
    switch (n.op) {
      case Op::kNumber:
        return std::vector<double>(rows, n.number);
      case Op::kString:
        return Status::Config("expression \"{}\": a string is only allowed in == or !=", text_);
      case Op::kColumn: {
        UPCAMP_ASSIGN_OR_RETURN(const Column* c, Lookup(n.name));
        if (c->type() == DataType::kString) {
          return Status::Config(
              "expression \"{}\": column '{}' holds strings; compare it with == or != to a "
              "'string' instead",
              text_, n.name);
        }
        if (c->type() == DataType::kFloat64) {
          auto v = c->float64s();
          return std::vector<double>(v.begin(), v.end());
        }
        std::vector<double> out(rows);
        for (size_t i = 0; i < rows; ++i) out[i] = c->AsDouble(i);
        return out;
      }
      case Op::kNeg: {
        UPCAMP_ASSIGN_OR_RETURN(auto v, Eval(*n.args[0]));
        for (double& x : v) x = -x;
        return v;
      }
      case Op::kNot: {
        UPCAMP_ASSIGN_OR_RETURN(auto v, Eval(*n.args[0]));
        for (double& x : v) x = std::isnan(x) ? kNaN : (x == 0.0 ? 1.0 : 0.0);
        return v;
      }
      case Op::kEq:
      case Op::kNe:
        if (n.args[0]->op == Op::kString || n.args[1]->op == Op::kString) return StringCompare(n);
        [[fallthrough]];
      case Op::kLt:
      case Op::kLe:
      case Op::kGt:
      case Op::kGe:
      case Op::kAdd:
      case Op::kSub:
      case Op::kMul:
      case Op::kDiv:
      case Op::kAnd:
      case Op::kOr: {
        UPCAMP_ASSIGN_OR_RETURN(auto a, Eval(*n.args[0]));
        UPCAMP_ASSIGN_OR_RETURN(auto b, Eval(*n.args[1]));
        Binary(n.op, a, b);
        return a;
      }
      case Op::kCall:
        return Call(n);
    }
    return Status::Runtime("unreachable expression node");
  }

 private:
  Result<const Column*> Lookup(const std::string& name) const {
    if (const Column* c = table_.FindColumn(name)) return c;
    return Status::Config("expression \"{}\": unknown column '{}' (columns: {})", text_, name,
                          fmt::join(table_.ColumnNames(), ", "));
  }

  static void Binary(Op op, std::vector<double>& a, const std::vector<double>& b) {
    const size_t n = a.size();
    auto cmp = [&](auto pred) {
      for (size_t i = 0; i < n; ++i) {
        a[i] = (std::isnan(a[i]) || std::isnan(b[i])) ? kNaN : (pred(a[i], b[i]) ? 1.0 : 0.0);
      }
    };
    switch (op) {
      case Op::kAdd:
        for (size_t i = 0; i < n; ++i) a[i] += b[i];
        break;
      case Op::kSub:
        for (size_t i = 0; i < n; ++i) a[i] -= b[i];
        break;
      case Op::kMul:
        for (size_t i = 0; i < n; ++i) a[i] *= b[i];
        break;
      case Op::kDiv:
        for (size_t i = 0; i < n; ++i) a[i] /= b[i];
        break;
      case Op::kLt:
        cmp([](double x, double y) { return x < y; });
        break;
      case Op::kLe:
        cmp([](double x, double y) { return x <= y; });
        break;
      case Op::kGt:
        cmp([](double x, double y) { return x > y; });
        break;
      case Op::kGe:
        cmp([](double x, double y) { return x >= y; });
        break;
      case Op::kEq:
        cmp([](double x, double y) { return x == y; });
        break;
      case Op::kNe:
        cmp([](double x, double y) { return x != y; });
        break;
      case Op::kAnd:
        for (size_t i = 0; i < n; ++i) {
          const bool fa = !std::isnan(a[i]) && a[i] == 0.0, fb = !std::isnan(b[i]) && b[i] == 0.0;
          a[i] = (fa || fb) ? 0.0 : (std::isnan(a[i]) || std::isnan(b[i])) ? kNaN : 1.0;
        }
        break;
      case Op::kOr:
        for (size_t i = 0; i < n; ++i) {
          const bool ta = !std::isnan(a[i]) && a[i] != 0.0, tb = !std::isnan(b[i]) && b[i] != 0.0;
          a[i] = (ta || tb) ? 1.0 : (std::isnan(a[i]) || std::isnan(b[i])) ? kNaN : 0.0;
        }
        break;
      default:
        break;
    }
  }

  Result<std::vector<double>> StringCompare(const Node& n) {
    const bool lhs_col = n.args[0]->op == Op::kColumn;
    const Node& col_node = lhs_col ? *n.args[0] : *n.args[1];
    const Node& lit_node = lhs_col ? *n.args[1] : *n.args[0];
    UPCAMP_ASSIGN_OR_RETURN(const Column* c, Lookup(col_node.name));
    std::vector<double> out(table_.num_rows());
    const bool eq = n.op == Op::kEq;
    if (c->type() != DataType::kString) {
      return Status::Config(
          "expression \"{}\": column '{}' is {}, not a string; compare it with "
          "a number",
          text_, col_node.name, DataTypeName(c->type()));
    }
    const int32_t code = c->dictionary().Find(lit_node.name);
    auto codes = c->codes();
    for (size_t i = 0; i < out.size(); ++i) {
      out[i] = codes[i] == kNullCode ? kNaN : ((codes[i] == code) == eq ? 1.0 : 0.0);
    }
    return out;
  }

  Result<std::vector<double>> Call(const Node& n) {
    if ((n.fn == Fn::kIsNull || n.fn == Fn::kNotNull) && n.args[0]->op == Op::kColumn) {
      // Also works for string columns, which Eval() refuses as numbers.
      UPCAMP_ASSIGN_OR_RETURN(const Column* c, Lookup(n.args[0]->name));
      std::vector<double> out(table_.num_rows());
      const bool want_null = n.fn == Fn::kIsNull;
      for (size_t i = 0; i < out.size(); ++i) out[i] = c->IsNull(i) == want_null ? 1.0 : 0.0;
      return out;
    }
    std::vector<std::vector<double>> args;
    for (const auto& a : n.args) {
      UPCAMP_ASSIGN_OR_RETURN(auto v, Eval(*a));
      args.push_back(std::move(v));
    }
    std::vector<double>& x = args[0];
    const size_t rows = x.size();
    auto unary = [&](double (*f)(double)) {
      for (double& v : x) v = f(v);
      return std::move(x);
    };
    switch (n.fn) {
      case Fn::kAbs:
        return unary([](double v) { return std::fabs(v); });
      case Fn::kLog:
        return unary([](double v) { return std::log(v); });
      case Fn::kLog1p:
        return unary([](double v) { return std::log1p(v); });
      case Fn::kExp:
        return unary([](double v) { return std::exp(v); });
      case Fn::kSqrt:
        return unary([](double v) { return std::sqrt(v); });
      case Fn::kFloor:
        return unary([](double v) { return std::floor(v); });
      case Fn::kCeil:
        return unary([](double v) { return std::ceil(v); });
      case Fn::kRound:
        return unary([](double v) { return std::nearbyint(v); });
      case Fn::kPow:
        for (size_t i = 0; i < rows; ++i) x[i] = std::pow(x[i], args[1][i]);
        return std::move(x);
      case Fn::kMin:
      case Fn::kMax:
        for (size_t k = 1; k < args.size(); ++k) {
          for (size_t i = 0; i < rows; ++i) {
            const double y = args[k][i];
            if (std::isnan(x[i]) || std::isnan(y)) {
              x[i] = kNaN;
            } else {
              x[i] = n.fn == Fn::kMin ? std::min(x[i], y) : std::max(x[i], y);
            }
          }
        }
        return std::move(x);
      case Fn::kClip:
        for (size_t i = 0; i < rows; ++i) {
          if (std::isnan(x[i])) continue;
          if (!std::isnan(args[1][i])) x[i] = std::max(x[i], args[1][i]);
          if (!std::isnan(args[2][i])) x[i] = std::min(x[i], args[2][i]);
        }
        return std::move(x);
      case Fn::kIsNull:
        return unary([](double v) { return std::isnan(v) ? 1.0 : 0.0; });
      case Fn::kNotNull:
        return unary([](double v) { return std::isnan(v) ? 0.0 : 1.0; });
      case Fn::kFillNa:
        for (size_t i = 0; i < rows; ++i) {
          if (std::isnan(x[i])) x[i] = args[1][i];
        }
        return std::move(x);
      case Fn::kWhere:
        for (size_t i = 0; i < rows; ++i) {
          x[i] = std::isnan(x[i]) ? kNaN : (x[i] != 0.0 ? args[1][i] : args[2][i]);
        }
        return std::move(x);
    }
    return Status::Runtime("unreachable function");
  }

  const Table& table_;
  std::string_view text_;
};

}  // namespace

Expression::~Expression() = default;

Result<Expression> Expression::Parse(std::string_view text) {
  Parser parser(text);
  UPCAMP_ASSIGN_OR_RETURN(NodePtr root, parser.ParseAll());
  Expression e;
  e.text_ = std::string(text);
  e.root_ = std::move(root);
  return e;
}

std::vector<std::string> Expression::ColumnNames() const {
  std::set<std::string> names;
  CollectColumns(*root_, names);
  return {names.begin(), names.end()};
}

Result<std::vector<double>> Expression::Evaluate(const Table& table) const {
  Evaluator ev(table, text_);
  return ev.Eval(*root_);
}

}  // namespace upcamp
