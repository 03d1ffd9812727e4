#pragma once
// A small, safe expression language over the columns of a table, shared by the `expression`
// transform, training targets and the campaign's base filters. No loops, no assignment, no I/O:
// an expression is a pure function of one row.
//
//   expr    := or
//   or      := and ('or' and)*
//   and     := not ('and' not)*
//   not     := 'not' not | compare
//   compare := sum (('<' | '<=' | '>' | '>=' | '==' | '!=') sum)?
//   sum     := product (('+' | '-') product)*
//   product := unary (('*' | '/') unary)*
//   unary   := ('-' | '+') unary | primary
//   primary := NUMBER | STRING | COLUMN | FUNCTION '(' expr (',' expr)* ')' | '(' expr ')'
//
// COLUMN is a name ([A-Za-z_][A-Za-z0-9_]*) or any text in backticks (`odd name`). STRING is
// '...' or "..." and may only be compared (==, !=) with a string column. NUMBER is decimal or
// scientific. `true`/`false` are 1/0.
//
// Values are doubles; comparisons and logic give 1 (true) or 0 (false). A missing input (NaN,
// empty CSV field) propagates: arithmetic, comparisons, min/max and functions of a missing value
// are missing. `and`/`or` use three-valued logic: `false and missing` is false, `true or missing`
// is true. Arithmetic follows IEEE 754 as pandas does (x/0 is ±inf, log(-1) is missing).
// Functions: abs, log, log1p, exp, sqrt, floor, ceil, round, pow(x, y), min(a, b, ...),
// max(a, b, ...), clip(x, lo, hi), isnull(x), notnull(x), fillna(x, value), where(c, a, b).

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "data/table.h"

namespace upcamp {

class Expression {
 public:
  /// Parses `text`. A syntax error is a config error whose message points at the column:
  ///   expression "0.2*x + lg(y)": unknown function 'lg' at column 9
  ///     0.2*x + lg(y)
  ///             ^
  static Result<Expression> Parse(std::string_view text);

  Expression(const Expression&) = default;
  Expression(Expression&&) noexcept = default;
  Expression& operator=(const Expression&) = default;
  Expression& operator=(Expression&&) noexcept = default;
  ~Expression();

  const std::string& text() const { return text_; }
  /// Column names the expression reads, sorted, without duplicates.
  std::vector<std::string> ColumnNames() const;

  /// Evaluates on every row of `table`; missing = NaN. A referenced column that the table lacks,
  /// or a string column used in arithmetic, is a config error naming it.
  Result<std::vector<double>> Evaluate(const Table& table) const;

  struct Node;

 private:
  Expression() = default;
  std::string text_;
  std::shared_ptr<const Node> root_;  // immutable after parsing, so copies may share it
};

}  // namespace upcamp
