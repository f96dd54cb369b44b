using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Cream.Api.Tests.Email;
using Cream.Api.Tests.Infrastructure;

namespace Cream.Api.Tests.Accounts;

/// <summary>Reading account emails as their recipient would: the link, and the token it carries.</summary>
public static partial class AccountMail
{
    /// <summary>The links account emails carry, under the factory's configured base (http://localhost).</summary>
    [GeneratedRegex(@"http://localhost/account/(verify-email|reset-password)\?token=([A-Za-z0-9_-]+)")]
    private static partial Regex Link();

    /// <summary>
    /// Waits for the <paramref name="count"/>th message to <paramref name="to"/> with a link of
    /// <paramref name="kind"/> (<c>verify-email</c> or <c>reset-password</c>) and returns its token.
    /// </summary>
    public static async Task<string> TokenAsync(this MailFixture mail, string to, string kind, int count = 1)
    {
        var received = await mail.Smtp.WaitForAsync(count, m => IsTo(m, to) && LinkOf(m) is { } link && link.Groups[1].Value == kind, mail.Tick);
        return LinkOf(received[count - 1])!.Groups[2].Value;
    }

    /// <summary>An account link under any base, for a service that has a real address (the browser tests).</summary>
    [GeneratedRegex(@"https?://[^\s?]+/(verify-email|reset-password)\?token=[A-Za-z0-9_-]+")]
    private static partial Regex AnyLink();

    /// <summary>
    /// Waits for the first message to <paramref name="to"/> with a link of <paramref name="kind"/>, calling
    /// <paramref name="tick"/> between looks, and returns the link as its recipient would open it.
    /// </summary>
    public static async Task<Uri> LinkAsync(this TestSmtpServer smtp, string to, string kind, Action tick)
    {
        ArgumentNullException.ThrowIfNull(smtp);
        var received = await smtp.WaitForAsync(1, m => IsTo(m, to) && AnyLinkOf(m, kind) is not null, tick);
        return new Uri(AnyLinkOf(received[0], kind)!.Value);
    }

    private static Match? AnyLinkOf(ReceivedMail mail, string kind) =>
        AnyLink().Matches(mail.Message.TextBody ?? string.Empty).FirstOrDefault(link => link.Groups[1].Value == kind);

    private static Match? LinkOf(ReceivedMail mail) => Link().Match(mail.Message.TextBody ?? string.Empty) is { Success: true } link ? link : null;

    public static int CountTo(this MailFixture mail, string to) => mail.Smtp.Received.Count(m => IsTo(m, to));

    /// <summary>Lets the sender run a few rounds, so that a message that was going to come has come.</summary>
    public static async Task SettleAsync(this MailFixture mail)
    {
        for (var i = 0; i < 10; i++)
        {
            mail.Tick();
            await Task.Delay(30);
        }
    }

    public static Task<HttpResponseMessage> ForgotPasswordAsync(this HttpClient client, string email) =>
        client.PostAsJsonAsync("/api/auth/forgot-password", new { email });

    public static Task<HttpResponseMessage> ResetPasswordAsync(this HttpClient client, string token, string newPassword) =>
        client.PostAsJsonAsync("/api/auth/reset-password", new { token, new_password = newPassword });

    public static Task<HttpResponseMessage> VerifyEmailAsync(this HttpClient client, string token) =>
        client.PostAsJsonAsync("/api/auth/verify-email", new { token });

    private static bool IsTo(ReceivedMail mail, string to) =>
        mail.Message.To.Mailboxes.Any(m => string.Equals(m.Address, to, StringComparison.OrdinalIgnoreCase));
}
