using System.Security.Cryptography;
using Cream.Client;

// Usage: dotnet run --project samples/Cream.Client.Sample [base-url]
var baseAddress = new Uri(args.Length > 0 ? args[0] : "http://localhost:5080");
using var cream = CreamClient.Create(baseAddress);

try
{
    var email = $"sample-{Guid.NewGuid():N}@example.com";
    var password = Convert.ToBase64String(RandomNumberGenerator.GetBytes(18));
    await cream.SignupAsync(new SignupRequest(email, password, "Sample", "User"));
    Console.WriteLine($"Signed up {email}");

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
