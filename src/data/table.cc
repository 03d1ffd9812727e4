#include "data/table.h"

#include <unordered_set>

#include <fmt/ranges.h>

namespace upcamp {

Result<Table> Table::Make(std::vector<Column> columns) {
  Table t;
  for (auto& c : columns) UPCAMP_RETURN_IF_ERROR(t.AddColumn(std::move(c)));
  return t;
}

Schema Table::schema() const {
  Schema s;
  s.reserve(columns_.size());
  for (const auto& c : columns_) s.push_back({c.name(), c.type()});
  return s;
}

std::vector<std::string> Table::ColumnNames() const {
  std::vector<std::string> names;
  names.reserve(columns_.size());
  for (const auto& c : columns_) names.push_back(c.name());
  return names;
}

int Table::FindColumnIndex(std::string_view name) const {
  for (size_t i = 0; i < columns_.size(); ++i) {
    if (columns_[i].name() == name) return static_cast<int>(i);
  }
  return -1;
}

const Column* Table::FindColumn(std::string_view name) const {
  const int i = FindColumnIndex(name);
  return i < 0 ? nullptr : &columns_[static_cast<size_t>(i)];
}

Result<const Column*> Table::GetColumn(std::string_view name, std::string_view what) const {
  if (const Column* c = FindColumn(name)) return c;
  return Status::Data("{} has no column '{}' (columns: {})", what, name,
                      fmt::join(ColumnNames(), ", "));
}

Status Table::AddColumn(Column column) {
  if (column.name().empty()) return Status::Runtime("column without a name");
  if (FindColumn(column.name())) {
    return Status::Data("duplicate column name '{}'", column.name());
  }
  if (columns_.empty()) {
    num_rows_ = column.size();
  } else if (column.size() != num_rows_) {
    return Status::Runtime("column '{}' has {} rows, table has {}", column.name(), column.size(),
                           num_rows_);
  }
  columns_.push_back(std::move(column));
  return Status::Ok();
}

Status Table::SetColumn(Column column) {
  const int i = FindColumnIndex(column.name());
  if (i < 0) return AddColumn(std::move(column));
  if (columns_.size() > 1 && column.size() != num_rows_) {
    return Status::Runtime("column '{}' has {} rows, table has {}", column.name(), column.size(),
                           num_rows_);
  }
  if (columns_.size() == 1) num_rows_ = column.size();
  columns_[static_cast<size_t>(i)] = std::move(column);
  return Status::Ok();
}

bool Table::RemoveColumn(std::string_view name) {
  const int i = FindColumnIndex(name);
  if (i < 0) return false;
  columns_.erase(columns_.begin() + i);
  if (columns_.empty()) num_rows_ = 0;
  return true;
}

Table Table::TakeRows(std::span<const int64_t> rows) const {
  Table out;
  out.num_rows_ = rows.size();
  out.columns_.reserve(columns_.size());
  for (const auto& c : columns_) out.columns_.push_back(c.Take(rows));
  return out;
}

Result<Table> Table::SelectColumns(const std::vector<std::string>& names) const {
  Table out;
  for (const auto& n : names) {
    UPCAMP_ASSIGN_OR_RETURN(const Column* c, GetColumn(n));
    UPCAMP_RETURN_IF_ERROR(out.AddColumn(*c));
  }
  return out;
}

Result<Table> Table::Concatenate(const std::vector<Table>& parts) {
  if (parts.empty()) return Table{};
  const Schema schema = parts[0].schema();
  size_t total = 0;
  for (const auto& p : parts) {
    if (p.schema() != schema) return Status::Runtime("cannot concatenate tables: schemas differ");
    total += p.num_rows();
  }
  Table out;
  for (size_t ci = 0; ci < schema.size(); ++ci) {
    const std::string& name = schema[ci].name;
    switch (schema[ci].type) {
      case DataType::kInt64:
      case DataType::kTimestamp: {
        std::vector<int64_t> v;
        v.reserve(total);
        for (const auto& p : parts) {
          auto s = p.column(ci).int64s();
          v.insert(v.end(), s.begin(), s.end());
        }
        UPCAMP_RETURN_IF_ERROR(out.AddColumn(schema[ci].type == DataType::kInt64
                                                 ? Column::Int64(name, std::move(v))
                                                 : Column::Timestamp(name, std::move(v))));
        break;
      }
      case DataType::kFloat64: {
        std::vector<double> v;
        v.reserve(total);
        for (const auto& p : parts) {
          auto s = p.column(ci).float64s();
          v.insert(v.end(), s.begin(), s.end());
        }
        UPCAMP_RETURN_IF_ERROR(out.AddColumn(Column::Float64(name, std::move(v))));
        break;
      }
      case DataType::kBool: {
        std::vector<uint8_t> v;
        v.reserve(total);
        for (const auto& p : parts) {
          auto s = p.column(ci).bools();
          v.insert(v.end(), s.begin(), s.end());
        }
        UPCAMP_RETURN_IF_ERROR(out.AddColumn(Column::Bool(name, std::move(v))));
        break;
      }
      case DataType::kString: {
        // Parts sharing one dictionary (common: batches of one reader) need no remapping.
        const auto& first_dict = parts[0].column(ci).shared_dictionary();
        bool shared = true;
        for (const auto& p : parts) shared = shared && p.column(ci).shared_dictionary() == first_dict;
        auto dict = shared ? first_dict : std::make_shared<StringDictionary>();
        std::vector<int32_t> v;
        v.reserve(total);
        for (const auto& p : parts) {
          const Column& c = p.column(ci);
          auto codes = c.codes();
          if (shared) {
            v.insert(v.end(), codes.begin(), codes.end());
            continue;
          }
          std::vector<int32_t> remap(static_cast<size_t>(c.dictionary().size()));
          for (int32_t k = 0; k < c.dictionary().size(); ++k) {
            remap[static_cast<size_t>(k)] = dict->GetOrAdd(c.dictionary().Get(k));
          }
          for (int32_t code : codes) v.push_back(code == kNullCode ? kNullCode : remap[code]);
        }
        UPCAMP_RETURN_IF_ERROR(out.AddColumn(Column::String(name, std::move(v), std::move(dict))));
        break;
      }
    }
  }
  return out;
}

}  // namespace upcamp
