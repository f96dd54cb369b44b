using System.Security.Claims;
using System.Text;
using Microsoft.IdentityModel.Tokens;

// The framework's bare JwtBearer app, validating as strictly as Cream does: the same issuer,
// audience and HS256 secret (Jwt__Secret), HS256 only, typ at+jwt, lifetime with a 30 s skew.
// Everything else is the framework's default (inbound claim mapping, JsonWebTokenHandler,
// the template's log levels from appsettings.json).
var builder = WebApplication.CreateBuilder(new WebApplicationOptions
{
    Args = args,
    ContentRootPath = AppContext.BaseDirectory,
});
var secret = builder.Configuration["Jwt:Secret"] ?? throw new InvalidOperationException("Jwt__Secret is not set.");
builder.Services.AddAuthentication().AddJwtBearer(options => options.TokenValidationParameters = new TokenValidationParameters
{
    ValidIssuer = builder.Configuration["Jwt:Issuer"] ?? "cream-api",
    ValidAudience = builder.Configuration["Jwt:Audience"] ?? "cream-api",
    IssuerSigningKey = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(secret)),
    ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
    ValidTypes = ["at+jwt", "application/at+jwt"],
    RequireAudience = true,
    RequireExpirationTime = true,
    RequireSignedTokens = true,
    ClockSkew = TimeSpan.FromSeconds(30),
});
builder.Services.AddAuthorization();

var app = builder.Build();
app.MapGet("/", () => TypedResults.Ok(new Root("root")));
app.MapGet("/api/auth/me", (ClaimsPrincipal user) => TypedResults.Ok(new Me(
    user.FindFirstValue(ClaimTypes.NameIdentifier),
    user.FindFirstValue(ClaimTypes.Email)))).RequireAuthorization();
await app.RunAsync();

internal sealed record Root(string App);

internal sealed record Me(string? Sub, string? Email);
