/// The product's version, shown by `cpv --version`, `/metrics` and the console footer.
public enum ProductVersion {
    public static let current = "0.1.0"
}
