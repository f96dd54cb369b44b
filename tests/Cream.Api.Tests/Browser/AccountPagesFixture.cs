using Cream.Api.Tests.Accounts;
using Cream.Api.Tests.Email;
using Cream.Api.Tests.Infrastructure;

namespace Cream.Api.Tests.Browser;

/// <summary>
/// The service published under a path base (<c>http://127.0.0.1:port/cream</c>, as behind a proxy),
/// delivering its mail to a real SMTP server on loopback, and a browser for the account pages.
/// </summary>
public sealed class AccountPagesFixture : BrowserFixture
{
    public TestSmtpServer Smtp { get; private set; } = null!;

    protected override string PathBase => "/cream";

    /// <summary>The page's address under the public base, with <paramref name="query"/> as written (<c>?token=...</c>).</summary>
    public Uri PageAddress(string page, string query = "") => new($"{Service.PublicBase}/account/{page}{query}");

    /// <summary>The link of <paramref name="kind"/> in the first email to <paramref name="to"/>, once it has arrived.</summary>
    public Task<Uri> LinkAsync(string to, string kind) => Smtp.LinkAsync(to, kind, MailHelpers.Tick(Service));

    protected override async Task<IReadOnlyDictionary<string, string?>> PrepareAsync()
    {
        Smtp = await TestSmtpServer.StartAsync();
        // The sender polls every second of the service's fake clock, which LinkAsync moves on.
        return MailFixture.SenderSettings(Smtp);
    }

    protected override async Task CleanUpAsync()
    {
        if (Smtp is not null)
        {
            await Smtp.DisposeAsync();
        }
    }
}
