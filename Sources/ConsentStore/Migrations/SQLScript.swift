import Foundation

/// Splits a migration file into its statements.
///
/// PostgresNIO speaks the extended query protocol, which takes one statement at a time, so the
/// runner executes a file statement by statement inside one transaction. The splitter understands
/// what can hide a `;`: `--` and `/* */` comments (nested, as PostgreSQL allows), '...' strings
/// (with '' and, in E'...', backslash escapes), "..." identifiers and $tag$...$tag$ bodies.
enum SQLScript {
    static func statements(in sql: String) -> [String] {
        let characters = Array(sql.unicodeScalars)
        var statements: [String] = []
        var current = String.UnicodeScalarView()
        var index = 0

        func flush() {
            let statement = String(current).trimmingCharacters(in: .whitespacesAndNewlines)
            if !statement.isEmpty && !isOnlyComments(statement) { statements.append(statement) }
            current = String.UnicodeScalarView()
        }
        func peek(_ offset: Int) -> Unicode.Scalar? {
            index + offset < characters.count ? characters[index + offset] : nil
        }
        /// Copies characters up to and including `terminator`, starting after the opening one.
        func copy(until terminator: [Unicode.Scalar], backslashEscapes: Bool = false) {
            while index < characters.count {
                let character = characters[index]
                if backslashEscapes && character == "\\" && index + 1 < characters.count {
                    current.append(character)
                    current.append(characters[index + 1])
                    index += 2
                    continue
                }
                if Array(characters[index..<min(index + terminator.count, characters.count)]) == terminator {
                    // A doubled quote inside '...' or "..." is an escaped quote, not the end.
                    if terminator.count == 1, peek(1) == terminator[0] {
                        current.append(character)
                        current.append(character)
                        index += 2
                        continue
                    }
                    current.append(contentsOf: terminator)
                    index += terminator.count
                    return
                }
                current.append(character)
                index += 1
            }
        }

        while index < characters.count {
            let character = characters[index]
            switch character {
            case ";":
                index += 1
                flush()
            case "-" where peek(1) == "-":
                while index < characters.count && characters[index] != "\n" {
                    current.append(characters[index])
                    index += 1
                }
            case "/" where peek(1) == "*":
                var depth = 0
                repeat {
                    if characters[index] == "/" && peek(1) == "*" {
                        depth += 1
                        current.append(contentsOf: "/*".unicodeScalars)
                        index += 2
                    } else if characters[index] == "*" && peek(1) == "/" {
                        depth -= 1
                        current.append(contentsOf: "*/".unicodeScalars)
                        index += 2
                    } else {
                        current.append(characters[index])
                        index += 1
                    }
                } while depth > 0 && index < characters.count
            case "'":
                let escaped = index > 0 && (characters[index - 1] == "E" || characters[index - 1] == "e")
                current.append(character)
                index += 1
                copy(until: ["'"], backslashEscapes: escaped)
            case "\"":
                current.append(character)
                index += 1
                copy(until: ["\""])
            case "$":
                // $tag$ or $$ opens a dollar-quoted body; $1 (a parameter) does not.
                var end = index + 1
                while end < characters.count,
                    characters[end] == "_" || characters[end].properties.isAlphabetic
                        || (end > index + 1 && ("0"..."9").contains(characters[end]))
                {
                    end += 1
                }
                if end < characters.count && characters[end] == "$" {
                    let tag = Array(characters[index...end])
                    current.append(contentsOf: tag)
                    index = end + 1
                    copy(until: tag)
                } else {
                    current.append(character)
                    index += 1
                }
            default:
                current.append(character)
                index += 1
            }
        }
        flush()
        return statements
    }

    private static func isOnlyComments(_ statement: String) -> Bool {
        statement.split(separator: "\n").allSatisfy { line in
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            return trimmed.isEmpty || trimmed.hasPrefix("--")
        }
    }
}
