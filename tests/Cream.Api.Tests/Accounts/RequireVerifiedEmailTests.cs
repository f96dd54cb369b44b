using System.Net;
using System.Net.Http.Json;
using Cream.Api.Tests.Email;
using Cream.Api.Tests.Infrastructure;

namespace Cream.Api.Tests.Accounts;

/// <summary>With <c>Accounts__RequireVerifiedEmail</c>: no token before the link is used, and a signup tells nobody whether the email was taken.</summary>
public abstract class RequireVerifiedEmailTests(MailFixture mail)
{
    private const string CheckEmail = """{"message":"Check your email to finish signing up"}""";
    private readonly HttpClient _client = mail.Factory.CreateClient();

    public static IReadOnlyDictionary<string, string?> Strict(IReadOnlyDictionary<string, string?> settings) =>
        new Dictionary<string, string?>(settings) { ["Accounts:RequireVerifiedEmail"] = "true" };

    [Fact]
    public async Task Signup_answers_202_without_a_token_and_login_waits_for_the_link()
    {
        var email = ApiHelpers.NewEmail("strict");

        using var signup = await _client.PostSignupAsync(email);
        using var wrongPassword = await _client.PostLoginFormAsync(email, "not the password at all");
        using var unverified = await _client.PostLoginFormAsync(email, ApiHelpers.DefaultPassword);

        Assert.Equal(HttpStatusCode.Accepted, signup.StatusCode);
        Assert.Equal(CheckEmail, await signup.Content.ReadAsStringAsync());
        Assert.Equal("Incorrect email or password", await wrongPassword.DetailAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, unverified.StatusCode);
        Assert.Equal("Please verify your email before logging in", await unverified.DetailAsync());

        using var verified = await _client.VerifyEmailAsync(await mail.TokenAsync(email, "verify-email"));
        Assert.Equal(HttpStatusCode.NoContent, verified.StatusCode);
        await _client.LoginAsync(email);
    }

    [Fact]
    public async Task A_registered_email_gets_the_same_answer_and_its_owner_an_email_with_a_reset_link()
    {
        var email = ApiHelpers.NewEmail("strict.taken");
        using (await _client.PostSignupAsync(email))
        {
        }

        await mail.TokenAsync(email, "verify-email");

        using var again = await _client.PostSignupAsync(email, "an intruder's own passphrase");

        Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        Assert.Equal(CheckEmail, await again.Content.ReadAsStringAsync());
        var token = await mail.TokenAsync(email, "reset-password");
        var notice = mail.Smtp.Received.Last(m => m.Message.To.Mailboxes.Any(b => b.Address == email));
        Assert.Equal("You already have an account", notice.Message.Subject);
        using var intruder = await _client.PostLoginFormAsync(email, "an intruder's own passphrase");
        Assert.Equal(HttpStatusCode.Unauthorized, intruder.StatusCode);
        using var reset = await _client.PostAsJsonAsync("/api/auth/reset-password", new { token, new_password = "the owner's new passphrase" });
        Assert.Equal(HttpStatusCode.NoContent, reset.StatusCode);
        await _client.LoginAsync(email, "the owner's new passphrase"); // a reset proves the address too
    }
}

public sealed class SqliteStrictMailFixture : MailFixture
{
    protected override CreamApiFactory Create(IReadOnlyDictionary<string, string?> settings) =>
        new SqliteApiFactory { Settings = RequireVerifiedEmailTests.Strict(settings) };
}

[NeedsTestServers(TestServers.PostgresVariable)]
public sealed class PostgresStrictMailFixture : MailFixture
{
    protected override CreamApiFactory Create(IReadOnlyDictionary<string, string?> settings) =>
        new PostgresApiFactory { Settings = RequireVerifiedEmailTests.Strict(settings) };
}

public sealed class SqliteRequireVerifiedEmailTests(SqliteStrictMailFixture mail) : RequireVerifiedEmailTests(mail), IClassFixture<SqliteStrictMailFixture>;

public sealed class PostgresRequireVerifiedEmailTests(PostgresStrictMailFixture mail) : RequireVerifiedEmailTests(mail), IClassFixture<PostgresStrictMailFixture>;
