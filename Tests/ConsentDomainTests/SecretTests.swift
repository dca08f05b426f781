import ConsentDomain
import Testing

@Suite struct SecretTests {
    @Test func printingASecretShowsRedacted() {
        // given
        let secret = Secret("rt-very-secret-value")
        // when
        let renderings = ["\(secret)", String(describing: secret), String(reflecting: secret), "\([secret])"]
        var dumped = ""
        dump(secret, to: &dumped)
        // then
        for rendering in renderings + [dumped] {
            #expect(!rendering.contains("very-secret"))
        }
        #expect(secret.description == "<redacted>")
        #expect(secret.revealed == "rt-very-secret-value")
    }

    @Test func aStructHoldingASecretDoesNotPrintIt() {
        struct Holder { let name: String; let token: Secret<String> }
        let holder = Holder(name: "partner", token: Secret("abc123xyz"))
        #expect(!String(describing: holder).contains("abc123xyz"))
    }
}
