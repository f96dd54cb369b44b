using System.Net;
using System.Net.Http.Json;
using System.Text;
using Cream.Api.Auth.Passwords;
using Cream.Api.Tests.Infrastructure;
using Cream.Api.Users;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Cream.Api.Tests.Auth;

/// <summary>Signup, login and the profile, over HTTP, including every case the first version's suite checked.</summary>
public abstract class AuthEndpointTests(CreamApiFactory factory)
{
    private readonly HttpClient _client = factory.CreateClient();

    [Fact]
    public async Task Signup_returns_201_with_a_bearer_token_and_stores_an_active_user_not_yet_verified()
    {
        var email = ApiHelpers.NewEmail();

        using var response = await _client.PostSignupAsync(email);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<TokenBody>();
        Assert.False(string.IsNullOrEmpty(body!.AccessToken));
        Assert.Equal("bearer", body.TokenType);
        Assert.Equal(1800, body.ExpiresIn);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        var normalized = EmailAddress.Key(email);
        var user = await factory.WithDbAsync(db => db.Users.SingleAsync(u => u.NormalizedEmail == normalized));
        Assert.False(user.IsVerified); // proven only by the link the signup sends
        Assert.True(user.IsActive);
        Assert.Equal(email, user.Email);
        Assert.DoesNotContain(ApiHelpers.DefaultPassword, user.PasswordHash, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Duplicate_signup_is_400_with_the_first_versions_detail_whatever_the_case()
    {
        var user = await _client.SignupAsync();

        using var same = await _client.PostSignupAsync(user.Email);
        using var upper = await _client.PostSignupAsync(user.Email.ToUpperInvariant());

        Assert.Equal(HttpStatusCode.BadRequest, same.StatusCode);
        Assert.Equal("Email already registered", await same.DetailAsync());
        Assert.Equal(HttpStatusCode.BadRequest, upper.StatusCode);
        Assert.Equal("Email already registered", await upper.DetailAsync());
    }

    [Fact]
    public async Task Concurrent_duplicate_signups_create_one_user_and_answer_400_to_the_rest()
    {
        var email = ApiHelpers.NewEmail("race");

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => _client.PostSignupAsync(email)));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
        Assert.All(responses.Where(r => r.StatusCode != HttpStatusCode.Created),
            r => Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode));
        var normalized = EmailAddress.Key(email);
        Assert.Equal(1, await factory.WithDbAsync(db => db.Users.CountAsync(u => u.NormalizedEmail == normalized)));
    }

    [Fact]
    public async Task Login_with_the_form_right_after_signup_returns_a_token()
    {
        var user = await _client.SignupAsync();

        using var response = await _client.PostLoginFormAsync(user.Email, user.Password);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<TokenBody>();
        Assert.Equal("bearer", body!.TokenType);
        Assert.NotEqual(user.AccessToken, body.AccessToken);
    }

    [Fact]
    public async Task Login_accepts_the_web_clients_json_body_and_any_email_case()
    {
        var user = await _client.SignupAsync();

        using var response = await _client.PostAsJsonAsync("/api/auth/login",
            new { email = user.Email.ToUpperInvariant(), password = user.Password });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("bearer", (await response.Content.ReadFromJsonAsync<TokenBody>())!.TokenType);
    }

    [Fact]
    public async Task Wrong_password_is_401_with_the_exact_detail_and_a_bearer_challenge()
    {
        var user = await _client.SignupAsync();

        using var response = await _client.PostLoginFormAsync(user.Email, "wrong password");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.ToString());
        var body = await response.JsonAsync();
        Assert.Equal("Incorrect email or password", body.GetProperty("detail").GetString());
        Assert.Equal("invalid_grant", body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Unknown_email_gets_the_same_answer_as_a_wrong_password()
    {
        using var response = await _client.PostLoginFormAsync(ApiHelpers.NewEmail("nobody"), "whatever123");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.ToString());
        Assert.Equal("Incorrect email or password", await response.DetailAsync());
    }

    [Fact]
    public async Task Disabled_account_cannot_log_in_and_looks_like_a_wrong_password()
    {
        var user = await _client.SignupAsync();
        var normalized = EmailAddress.Key(user.Email);
        await factory.WithDbAsync(db => db.Users.Where(u => u.NormalizedEmail == normalized)
            .ExecuteUpdateAsync(set => set.SetProperty(u => u.IsActive, false)));

        using var response = await _client.PostLoginFormAsync(user.Email, user.Password);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Incorrect email or password", await response.DetailAsync());
    }

    [Theory]
    [InlineData("grant_type=client_credentials&username=a%40b.com&password=x", "unsupported_grant_type")]
    [InlineData("grant_type=password&username=a%40b.com", "invalid_request")]
    [InlineData("password=abcdefgh", "invalid_request")]
    public async Task Token_endpoint_errors_follow_rfc_6749(string form, string error)
    {
        using var content = new StringContent(form, Encoding.UTF8, "application/x-www-form-urlencoded");

        using var response = await _client.PostAsync("/api/auth/login", content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = await response.JsonAsync();
        Assert.Equal(error, body.GetProperty("error").GetString());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("detail").GetString()));
    }

    [Theory]
    [InlineData("not-an-email", "password123", "Test", "User", "email")]
    [InlineData("{0}", "short7!", "Test", "User", "password")]
    [InlineData("{0}", "", "Test", "User", "password")]
    [InlineData("{0}", null, "Test", "User", "password")]
    [InlineData("{0}", "password123", "", "User", "first_name")]
    [InlineData("{0}", "password123", "Test", null, "last_name")]
    public async Task Invalid_signup_is_422_naming_the_field_and_stores_nothing(string email, string? password, string? first, string? last, string field)
    {
        var address = string.Format(System.Globalization.CultureInfo.InvariantCulture, email, ApiHelpers.NewEmail("invalid"));
        var before = await factory.WithDbAsync(db => db.Users.CountAsync());

        using var response = await _client.PostAsJsonAsync("/api/auth/signup",
            new { email = address, password, first_name = first, last_name = last });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var body = await response.JsonAsync();
        Assert.True(body.GetProperty("errors").TryGetProperty(field, out _));
        Assert.False(string.IsNullOrEmpty(body.GetProperty("detail").GetString()));
        Assert.Equal(before, await factory.WithDbAsync(db => db.Users.CountAsync()));
    }

    [Theory]
    [InlineData(7, false)]
    [InlineData(8, true)]
    [InlineData(128, true)]
    [InlineData(129, false)]
    public async Task Passwords_are_8_to_128_characters(int length, bool accepted)
    {
        using var response = await _client.PostSignupAsync(ApiHelpers.NewEmail(), new string('p', length - 1) + "!");

        Assert.Equal(accepted ? HttpStatusCode.Created : HttpStatusCode.UnprocessableEntity, response.StatusCode);
    }

    [Fact]
    public async Task Access_token_has_the_contracted_header_and_claims()
    {
        var user = await _client.SignupAsync();

        var token = new JsonWebToken(user.AccessToken);

        Assert.Equal("HS256", token.Alg);
        Assert.Equal("at+jwt", token.Typ);
        Assert.False(string.IsNullOrEmpty(token.Kid));
        Assert.Equal("cream-api", token.Issuer);
        Assert.Equal(["cream-api"], token.Audiences);
        Assert.Equal(user.Email, token.GetClaim("email").Value);
        Assert.True(Guid.TryParse(token.Subject, out _));
        Assert.True(Guid.TryParse(token.GetClaim("sid").Value, out _));
        Assert.False(string.IsNullOrEmpty(token.Id));
        Assert.True(token.TryGetPayloadValue<string[]>("roles", out var roles));
        Assert.Empty(roles);
        Assert.Equal(TimeSpan.FromMinutes(30), token.ValidTo - token.IssuedAt);
        Assert.Equal(token.IssuedAt, token.ValidFrom);
    }

    [Fact]
    public async Task Every_login_opens_a_session_whose_id_is_the_sid_claim()
    {
        var user = await _client.SignupAsync();
        var login = await _client.LoginAsync(user.Email);

        var sid = Guid.Parse(new JsonWebToken(login.AccessToken).GetClaim("sid").Value);
        var userId = Guid.Parse(new JsonWebToken(login.AccessToken).Subject);

        var session = await factory.WithDbAsync(db => db.Sessions.SingleAsync(s => s.Id == sid));
        Assert.Equal(userId, session.UserId);
        Assert.True(session.IsValid);
        Assert.Equal(session.CreatedAt.AddDays(7), session.ExpiresAt);
        Assert.Equal(2, await factory.WithDbAsync(db => db.Sessions.CountAsync(s => s.UserId == userId)));
    }

    [Fact]
    public async Task Me_returns_the_profile_of_the_token_holder()
    {
        var user = await _client.SignupAsync();
        using var client = factory.CreateClient(user.AccessToken);

        using var response = await client.GetAsync("/api/auth/me");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var me = await response.JsonAsync();
        Assert.Equal(user.Email, me.GetProperty("email").GetString());
        Assert.Equal("Test", me.GetProperty("first_name").GetString());
        Assert.Equal("User", me.GetProperty("last_name").GetString());
        Assert.True(me.GetProperty("is_active").GetBoolean());
        Assert.False(me.GetProperty("is_verified").GetBoolean());
        Assert.Equal(0, me.GetProperty("roles").GetArrayLength());
        Assert.Equal(new JsonWebToken(user.AccessToken).Subject, me.GetProperty("id").GetString());
    }

    [Fact]
    public async Task Me_for_an_account_disabled_behind_the_services_back_is_a_401_challenge()
    {
        var user = await _client.SignupAsync();
        var normalized = EmailAddress.Key(user.Email);
        // Straight in the database, as another tool might: no revocation event, no cached profile yet.
        await factory.WithDbAsync(db => db.Users.Where(u => u.NormalizedEmail == normalized)
            .ExecuteUpdateAsync(set => set.SetProperty(u => u.IsActive, false)));

        using var response = await factory.CreateClient(user.AccessToken).GetAsync("/api/auth/me");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Could not validate credentials", await response.DetailAsync());
        Assert.Equal("Bearer error=\"invalid_token\", error_description=\"The account is disabled\"", response.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task First_version_password_hashes_log_in_and_are_upgraded()
    {
        var email = ApiHelpers.NewEmail("legacy");
        const string password = "old-service-password";
        var legacyHash = LegacySha256Hash.Create(password, "0123456789abcdef0123456789abcdef");
        await InsertUserAsync(email, legacyHash);

        using var wrong = await _client.PostLoginFormAsync(email, "not-the-password");
        var login = await _client.LoginAsync(email, password);

        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal("bearer", login.TokenType);
        var stored = await StoredHashAsync(email);
        Assert.NotEqual(legacyHash, stored);
        Assert.False(LegacySha256Hash.IsLegacy(stored));
        await _client.LoginAsync(email, password); // the upgraded hash verifies too
    }

    [Fact]
    public async Task Hashes_with_fewer_iterations_than_configured_are_rehashed_at_login()
    {
        var user = await _client.SignupAsync();
        var before = await StoredHashAsync(user.Email);
        await using var stronger = factory.WithWebHostBuilder(builder =>
            builder.UseSetting("Passwords:Iterations", (CreamApiFactory.TestPasswordIterations * 2).ToString(System.Globalization.CultureInfo.InvariantCulture)));

        await stronger.CreateClient().LoginAsync(user.Email, user.Password);

        var after = await StoredHashAsync(user.Email);
        Assert.NotEqual(before, after);
        Assert.Equal(CreamApiFactory.TestPasswordIterations, IterationsOf(before));
        Assert.Equal(CreamApiFactory.TestPasswordIterations * 2, IterationsOf(after));
    }

    /// <summary>Identity's v3 format: 0x01, PRF, then the iteration count, big-endian.</summary>
    private static int IterationsOf(string hash) =>
        System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(Convert.FromBase64String(hash).AsSpan(5, 4));

    private Task<string> StoredHashAsync(string email)
    {
        var normalized = EmailAddress.Key(email);
        return factory.WithDbAsync(db => db.Users.Where(u => u.NormalizedEmail == normalized).Select(u => u.PasswordHash).SingleAsync());
    }

    private Task<int> InsertUserAsync(string email, string passwordHash) => factory.WithDbAsync(db =>
    {
        var now = DateTime.UtcNow;
        db.Users.Add(new AppUser
        {
            Id = Guid.NewGuid(),
            Email = email,
            NormalizedEmail = EmailAddress.Key(email),
            PasswordHash = passwordHash,
            FirstName = "Legacy",
            LastName = "User",
            CreatedAt = now,
            UpdatedAt = now,
            IsActive = true,
            IsVerified = true,
        });
        return db.SaveChangesAsync();
    });
}

public sealed class SqliteAuthEndpointTests(SqliteApiFactory factory) : AuthEndpointTests(factory), IClassFixture<SqliteApiFactory>;

public sealed class PostgresAuthEndpointTests(PostgresApiFactory factory) : AuthEndpointTests(factory), IClassFixture<PostgresApiFactory>;
