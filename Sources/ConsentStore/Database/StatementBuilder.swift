import PostgresNIO

/// Builds one SQL statement whose parts come from several places (an upsert and a variable number
/// of `audit_append` calls), numbering the bind placeholders as it goes. Values are always bound,
/// never spliced into the text: the same safety as PostgresNIO's string interpolation.
struct StatementBuilder {
    private(set) var sql = ""
    private(set) var binds = PostgresBindings()

    /// Appends literal SQL (from this code base only, never from input).
    mutating func text(_ literal: String) {
        sql += literal
    }

    /// Binds `value` and returns its placeholder (`$n`).
    mutating func bind<Value: PostgresDynamicTypeEncodable>(_ value: Value?) -> String {
        binds.append(value)
        return "$\(binds.count)"
    }

    var query: PostgresQuery { PostgresQuery(unsafeSQL: sql, binds: binds) }
}
