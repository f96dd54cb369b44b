using System.Security.Cryptography;
using Cream.Client;

// Usage: dotnet run --project samples/Cream.Client.Sample [base-url] [--dpop]
//   --dpop: DPoP-bound tokens (RFC 9449): every request carries a proof from a key of this client.
var useDpop = args.Contains("--dpop", StringComparer.Ordinal);
var positional = args.Where(a => !a.StartsWith("--", StringComparison.Ordinal)).ToArray();
var baseAddress = new Uri(positional.Length > 0 ? positional[0] : "http://localhost:5080");
using var cream = CreamClient.Create(baseAddress, useDpop: useDpop);

try
{
    var email = $"sample-{Guid.NewGuid():N}@example.com";
    var password = Convert.ToBase64String(RandomNumberGenerator.GetBytes(18));
    var tokens = await cream.SignupAsync(new SignupRequest(email, password, "Sample", "User"));
    Console.WriteLine($"Signed up {email} (token type {tokens?.TokenType ?? "none: verify the email first"})");

    var tracked = await cream.TrackStockAsync("AAPL");
    Console.WriteLine(tracked.Message);

    // Two-factor setup: the app scans the URI (a QR code) or takes the secret, then shows codes.
    var setup = await cream.BeginTotpSetupAsync(password);
    Console.WriteLine($"Add this account to an authenticator app: {setup.OtpauthUri}");
    Console.Write("Then type the code it shows (Enter skips two-factor): ");
    var code = Console.IsInputRedirected ? null : Console.ReadLine();
    if (!string.IsNullOrWhiteSpace(code))
    {
        var recoveryCodes = await cream.ConfirmTotpAsync(code.Trim());
        Console.WriteLine($"Two-factor is on. Keep these recovery codes, each works once: {string.Join(' ', recoveryCodes)}");
    }

    foreach (var session in await cream.GetSessionsAsync())
    {
        var current = session.Current ? " (this one)" : "";
        Console.WriteLine($"Session {session.Id}{current}: since {session.CreatedAt:u} from {session.IpAddress} with {session.UserAgent}");
    }

    return 0;
}
catch (CreamApiException exception)
{
    Console.Error.WriteLine($"The service refused: {exception.Message}");
    return 1;
}
catch (HttpRequestException exception)
{
    Console.Error.WriteLine($"Cannot reach {baseAddress}: {exception.Message}");
    return 1;
}
