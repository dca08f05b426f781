import ConsentDomain
import ConsentStore

/// What every signed-in page shares: the title, the navigation bar, who is signed in and the
/// session's form token.
struct ConsoleChrome: Sendable {
    struct NavItem: Sendable {
        let label: String
        let href: String
        let current: Bool
    }

    /// A one-line message after an action (the page was reached by a redirect after a POST).
    struct Notice: Sendable {
        let kind: String
        let text: String
    }

    enum Section: String, Sendable, CaseIterable {
        case dashboard, partners, customers, runs, audit, reports, grantSets

        var label: String {
            switch self {
            case .dashboard: "Dashboard"
            case .partners: "Partners"
            case .customers: "Customers"
            case .runs: "Runs"
            case .audit: "Audit"
            case .reports: "Reports"
            case .grantSets: "Grant sets"
            }
        }

        var href: String {
            switch self {
            case .dashboard: "/console"
            case .partners: "/console/partners"
            case .customers: "/console/customers"
            case .runs: "/console/runs"
            case .audit: "/console/audit"
            case .reports: "/console/reports"
            case .grantSets: "/console/grant-sets"
            }
        }
    }

    let title: String
    let staffName: String
    let role: String
    let csrfToken: String
    let nav: [NavItem]
    let notice: Notice?
    let canOperate: Bool
    let canAdmin: Bool

    init(title: String, section: Section?, staffName: String, role: StaffRole, csrfToken: String, notice: Notice? = nil) {
        self.title = title
        self.staffName = staffName
        self.role = role.rawValue
        self.csrfToken = csrfToken
        nav = Section.allCases.map { NavItem(label: $0.label, href: $0.href, current: $0 == section) }
        self.notice = notice
        canOperate = role.allows(.operator)
        canAdmin = role.allows(.admin)
    }

    init(title: String, section: Section?, session: ConsoleSessionRepository.Session, notice: Notice? = nil) {
        self.init(
            title: title, section: section, staffName: session.member.name, role: session.member.role, csrfToken: session.csrfToken,
            notice: notice)
    }
}

/// The friendly error page: what happened, what to do, and the request id for the logs.
struct ErrorPage: Sendable {
    /// Nil when nobody is signed in (no navigation bar then).
    let chrome: ConsoleChrome?
    let hasChrome: Bool
    let status: Int
    let title: String
    let message: String
    let requestID: String

    init(chrome: ConsoleChrome?, status: Int, title: String, message: String, requestID: String) {
        self.chrome = chrome
        hasChrome = chrome != nil
        self.status = status
        self.title = title
        self.message = message
        self.requestID = requestID
    }
}

/// The sign-in form.
struct SignInPage: Sendable {
    let formToken: String
    let error: String?
}
