import Foundation

/// Finds a folder the service reads at run time (`migrations`, `Templates`) where a checkout, a
/// `swift build` tree or a package puts it, so that `cpv` runs from any of them without settings.
public enum InstalledFolder {
    /// The first of: `explicit` (a setting, taken as is), `name` in the working directory, `name`
    /// in each of the five folders above the executable (a `swift build` tree), then
    /// `/usr/share/cpv/name`; a candidate counts only when it holds `marker`.
    public static func locate(_ name: String, holding marker: String, explicit: String?, executablePath: String) -> URL? {
        if let explicit { return URL(fileURLWithPath: explicit) }
        var candidates = [URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(name)]
        var folder = URL(fileURLWithPath: executablePath).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<5 {
            candidates.append(folder.appendingPathComponent(name))
            folder = folder.deletingLastPathComponent()
        }
        candidates.append(URL(fileURLWithPath: "/usr/share/cpv").appendingPathComponent(name))
        return candidates.first { FileManager.default.fileExists(atPath: $0.appendingPathComponent(marker).path) }
    }
}
