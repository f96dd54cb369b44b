using System.Net;
using System.Net.Http.Json;
using System.Text;
using Cream.Api.Auth.Passwords;
using Cream.Api.Tests.Infrastructure;
using Cream.Api.Users;
using Microsoft.EntityFrameworkCore;

namespace Cream.Api.Tests.Accounts;

/// <summary>
/// Emails that only look like another account's, and passwords that guessing lists start with,
/// are refused with a reason; spellings of one address are one account.
/// </summary>
public abstract class AccountInputRulesTests(CreamApiFactory factory)
{
    private readonly HttpClient _client = factory.CreateClient();

    public static TheoryData<string, string> InvisibleVariants => new()
    {
        { "zero-width space", "victim.\u200Buser" },
        { "zero-width joiner", "victim.u\u200Dser" },
        { "soft hyphen", "victim.\u00ADuser" },
        { "right-to-left override", "victim.user\u202E" },
        { "byte order mark", "\uFEFFvictim.user" },
        { "a control character", "victim.\u0007user" },
        { "a format character beyond the BMP", "victim.user\U000E0001" },
    };

    [Theory]
    [MemberData(nameof(InvisibleVariants))]
    public async Task Emails_with_invisible_characters_are_refused_with_a_reason(string kind, string local)
    {
        var domain = $"{Guid.NewGuid():N}.example.com";
        await _client.SignupAsync($"victim.user@{domain}");
        var before = await CountUsersAsync();

        using var response = await _client.PostSignupAsync($"{local}@{domain}");

        Assert.True(response.StatusCode == HttpStatusCode.UnprocessableEntity, kind);
        var errors = (await response.JsonAsync()).GetProperty("errors");
        Assert.Equal(EmailAddress.InvisibleCharacters, errors.GetProperty("email")[0].GetString());
        Assert.Equal(before, await CountUsersAsync());
    }

    public static TheoryData<string, string> SpellingsOfOneAddress => new()
    {
        { "full-width letters", "\uFF56\uFF49\uFF43\uFF54\uFF49\uFF4D.user" },
        { "capitals", "Victim.USER" },
        { "decomposed accent", "jose\u0301.user" },
        { "composed accent, registered decomposed", "jos\u00E9.user" },
        { "ligature", "\uFB01nance.user" },
    };

    [Theory]
    [MemberData(nameof(SpellingsOfOneAddress))]
    public async Task Look_alike_spellings_of_a_registered_email_are_the_same_account(string kind, string local)
    {
        var domain = $"{Guid.NewGuid():N}.example.com";
        var registered = Registered(local);
        var victim = await _client.SignupAsync($"{registered}@{domain}");
        var before = await CountUsersAsync();

        using var signup = await _client.PostSignupAsync($"{local}@{domain}", "an attacker's own passphrase");
        using var login = await _client.PostLoginFormAsync($"{local}@{domain}", victim.Password);

        Assert.True(signup.StatusCode == HttpStatusCode.BadRequest, kind);
        Assert.Equal("Email already registered", await signup.DetailAsync());
        Assert.Equal(before, await CountUsersAsync());
        Assert.Equal(HttpStatusCode.OK, login.StatusCode); // the owner signs in under either spelling
    }

    [Theory]
    [InlineData("\"victim.user\"")]
    [InlineData("\"v\\ictim.user\"")]
    [InlineData("victim.user(comment)")]
    public async Task Quoted_escaped_or_commented_spellings_are_refused(string local)
    {
        var domain = $"{Guid.NewGuid():N}.example.com";
        await _client.SignupAsync($"victim.user@{domain}");
        var before = await CountUsersAsync();

        using var response = await _client.PostSignupAsync($"{local}@{domain}");
        using var literal = await _client.PostSignupAsync("victim.user@[127.0.0.1]");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, literal.StatusCode);
        Assert.Equal(EmailAddress.Invalid, (await response.JsonAsync()).GetProperty("errors").GetProperty("email")[0].GetString());
        Assert.Equal(before, await CountUsersAsync());
    }

    [Fact]
    public async Task A_unicode_domain_and_its_punycode_form_are_one_address()
    {
        var unicodeDomain = $"ex\u00E4mple-{Guid.NewGuid():N}.com";
        var punycode = new System.Globalization.IdnMapping().GetAscii(unicodeDomain);
        Assert.StartsWith("xn--", punycode, StringComparison.Ordinal);
        var owner = await _client.SignupAsync($"owner@{unicodeDomain}");

        using var again = await _client.PostSignupAsync($"owner@{punycode}", "an attacker's own passphrase");
        using var login = await _client.PostLoginFormAsync($"OWNER@{punycode.ToUpperInvariant()}", owner.Password);

        Assert.Equal("Email already registered", await again.DetailAsync());
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
    }

    [Fact]
    public async Task A_decomposed_email_is_stored_composed()
    {
        var decomposed = $"rene\u0301-{Guid.NewGuid():N}@example.com";

        var user = await _client.SignupAsync(decomposed);
        using var me = await factory.CreateClient(user.Tokens.AccessToken).GetAsync("/api/auth/me");

        var email = (await me.JsonAsync()).GetProperty("email").GetString();
        Assert.Equal(decomposed.Normalize(NormalizationForm.FormC), email);
        Assert.NotEqual(decomposed, email);
    }

    [Fact]
    public async Task A_lone_surrogate_in_an_email_is_a_4xx_and_stores_nothing()
    {
        var before = await CountUsersAsync();
        using var body = new StringContent(
            """{"email":"a\ud800b@example.com","password":"correct horse battery","first_name":"A","last_name":"B"}""",
            Encoding.UTF8, "application/json");

        using var response = await _client.PostAsync("/api/auth/signup", body);
        using var login = await _client.PostLoginFormAsync("a\ud800b@example.com", "correct horse battery");

        Assert.InRange((int)response.StatusCode, 400, 499);
        Assert.Equal(HttpStatusCode.Unauthorized, login.StatusCode);
        Assert.Equal(before, await CountUsersAsync());
    }

    public static TheoryData<string, string, string> WeakPasswords => new()
    {
        { "the most common password", "password", PasswordPolicy.Common },
        { "digits in a row", "12345678", PasswordPolicy.Common },
        { "a common one in capitals", "QWERTYUIOP", PasswordPolicy.Common },
        { "eight spaces", "        ", PasswordPolicy.Repeated },
        { "one letter repeated", "aaaaaaaaaaaa", PasswordPolicy.Repeated },
        { "four emoji (eight UTF-16 units)", "\U0001F600\U0001F601\U0001F602\U0001F603", PasswordPolicy.WrongLength },
        { "129 code points", string.Concat(Enumerable.Repeat("\U0001F600\U0001F601", 64)) + "!", PasswordPolicy.WrongLength },
        { "the email", "{email}", PasswordPolicy.SameAsEmail },
        { "the email in capitals", "{EMAIL}", PasswordPolicy.SameAsEmail },
        { "the part before the @", "{local}", PasswordPolicy.SameAsEmail },
    };

    [Theory]
    [MemberData(nameof(WeakPasswords))]
    public async Task Weak_passwords_are_refused_at_signup_with_the_reason(string kind, string password, string reason)
    {
        var email = ApiHelpers.NewEmail("weak.password");
        var before = await CountUsersAsync();

        using var response = await _client.PostSignupAsync(email, Fill(password, email));

        Assert.True(response.StatusCode == HttpStatusCode.UnprocessableEntity, kind);
        var errors = (await response.JsonAsync()).GetProperty("errors");
        Assert.Equal(reason, errors.GetProperty("password")[0].GetString());
        Assert.Equal(before, await CountUsersAsync());
    }

    [Theory]
    [MemberData(nameof(WeakPasswords))]
    public async Task Weak_passwords_are_refused_by_change_password_and_the_old_one_stays(string kind, string password, string reason)
    {
        var user = await _client.SignupAsync(ApiHelpers.NewEmail("weak.change"));
        using var client = factory.CreateClient(user.Tokens.AccessToken);

        using var response = await client.PostAsJsonAsync("/api/auth/change-password",
            new { current_password = user.Password, new_password = Fill(password, user.Email) });

        Assert.True(response.StatusCode == HttpStatusCode.UnprocessableEntity, kind);
        Assert.Equal(reason, (await response.JsonAsync()).GetProperty("errors").GetProperty("new_password")[0].GetString());
        await _client.LoginAsync(user.Email, user.Password);
    }

    [Theory]
    [InlineData(8)]
    [InlineData(128)]
    public async Task Lengths_count_code_points_so_emoji_passwords_of_8_to_128_work(int codePoints)
    {
        var emoji = Enumerable.Range(0, codePoints).Select(i => char.ConvertFromUtf32(0x1F600 + (i % 64)));
        var password = string.Concat(emoji);
        Assert.Equal(2 * codePoints, password.Length);

        var user = await _client.SignupAsync(ApiHelpers.NewEmail("emoji"), password);

        await _client.LoginAsync(user.Email, password);
    }

    [Fact]
    public void The_common_password_list_is_the_packaged_one_with_at_least_10000_entries()
    {
        Assert.True(PasswordPolicy.CommonPasswordCount >= 10_000, $"{PasswordPolicy.CommonPasswordCount} entries");
        Assert.Null(PasswordPolicy.Problem(ApiHelpers.DefaultPassword, "someone@example.com"));
    }

    private static string Registered(string local) =>
        local.Contains('\u0301', StringComparison.Ordinal) ? local.Replace("e\u0301", "\u00E9", StringComparison.Ordinal)
        : local.Contains('\u00E9', StringComparison.Ordinal) ? local.Replace("\u00E9", "e\u0301", StringComparison.Ordinal)
        : local.Contains('\uFB01', StringComparison.Ordinal) ? local.Replace("\uFB01", "fi", StringComparison.Ordinal)
        : "victim.user";

    private static string Fill(string password, string email) => password
        .Replace("{email}", email, StringComparison.Ordinal)
        .Replace("{EMAIL}", email.ToUpperInvariant(), StringComparison.Ordinal)
        .Replace("{local}", email[..email.IndexOf('@', StringComparison.Ordinal)], StringComparison.Ordinal);

    private Task<int> CountUsersAsync() => factory.WithDbAsync(db => db.Users.CountAsync());
}

public sealed class SqliteAccountInputRulesTests(SqliteApiFactory factory) : AccountInputRulesTests(factory), IClassFixture<SqliteApiFactory>;

public sealed class PostgresAccountInputRulesTests(PostgresApiFactory factory) : AccountInputRulesTests(factory), IClassFixture<PostgresApiFactory>;
