using System.Net;
using Cream.Api.Tests.Infrastructure;
using Cream.Api.Tests.ScaleOut;
using Cream.Api.Tests.Sessions;

namespace Cream.Api.Tests.TwoFactor;

/// <summary>Two instances on one PostgreSQL database: a login started on one finishes on the other.</summary>
public sealed class TwoInstanceTwoFactorTests(TwoInstances instances) : IClassFixture<TwoInstances>
{
    [Fact]
    public async Task The_second_step_finishes_on_another_instance_and_works_once()
    {
        var user = await instances.A.CreateTwoFactorUserAsync();
        instances.B.Time.AdjustTime(instances.A.Time.GetUtcNow());
        using var onA = instances.A.CreateClient();
        using var onB = instances.B.CreateClient();
        var mfaToken = await onA.MfaTokenAsync(user.Email, user.Password);
        var code = instances.A.Code(user.Secret); // the secret was encrypted on A: B reads the same key ring

        using var verified = await onB.PostVerifyAsync(mfaToken, code);
        using var again = await onA.PostVerifyAsync(mfaToken, code);

        Assert.Equal(HttpStatusCode.OK, verified.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, again.StatusCode);
        var tokens = (await System.Net.Http.Json.HttpContentJsonExtensions.ReadFromJsonAsync<TokenBody>(verified.Content))!;
        Assert.Equal(["pwd", "otp"], TwoFactorApi.AmrOf(tokens.AccessToken));
        await instances.A.AssertAcceptedAsync(tokens.AccessToken);
    }
}
