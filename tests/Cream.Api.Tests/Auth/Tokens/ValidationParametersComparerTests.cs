using System.Reflection;
using Cream.Api.Auth.Tokens;
using Microsoft.IdentityModel.Tokens;

namespace Cream.Api.Tests.Auth.Tokens;

/// <summary>The validated-token cache answers only parameters that would validate like Cream's own, whatever property changed.</summary>
public sealed class ValidationParametersComparerTests
{
    private readonly TokenValidationParameters _ours = new TestTokens().Keys.ValidationParameters;

    [Fact]
    public void A_clone_as_the_bearer_scheme_makes_is_equivalent()
    {
        Assert.True(ValidationParametersComparer.Equivalent(_ours.Clone(), _ours));
    }

    [Fact]
    public void Every_public_property_but_bookkeeping_is_compared()
    {
        var all = typeof(TokenValidationParameters).GetProperties(BindingFlags.Public | BindingFlags.Instance).Select(p => p.Name);

        Assert.Equal(all.Except(ValidationParametersComparer.Ignored).Order(),
            ValidationParametersComparer.ComparedProperties().Select(p => p.Name).Order());
    }

    public static TheoryData<string> ChangeableProperties()
    {
        var data = new TheoryData<string>();
        var ours = new TestTokens().Keys.ValidationParameters;
        foreach (var property in ValidationParametersComparer.ComparedProperties().Where(p => p.CanWrite))
        {
            if (Changed(property, property.GetValue(ours)) is not Unchanged)
            {
                data.Add(property.Name);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ChangeableProperties))]
    public void Changing_any_property_of_a_clone_makes_it_a_caller_with_other_rules(string name)
    {
        var property = typeof(TokenValidationParameters).GetProperty(name)!;
        var clone = _ours.Clone();

        property.SetValue(clone, Changed(property, property.GetValue(clone)));

        Assert.False(ValidationParametersComparer.Equivalent(clone, _ours));
    }

    [Fact]
    public void A_collection_with_the_same_items_is_the_same_rule_and_one_more_item_is_not()
    {
        var sameItems = _ours.Clone();
        sameItems.ValidAlgorithms = [.. _ours.ValidAlgorithms!];
        var widened = _ours.Clone();
        widened.ValidAlgorithms = [.. _ours.ValidAlgorithms!, SecurityAlgorithms.RsaSha256];

        Assert.True(ValidationParametersComparer.Equivalent(sameItems, _ours));
        Assert.False(ValidationParametersComparer.Equivalent(widened, _ours));
    }

    private sealed class Unchanged;

    /// <summary>A different value for a property: flipped, shifted, emptied or filled; <see cref="Unchanged"/> when none can be made.</summary>
    private static object? Changed(PropertyInfo property, object? value) => value switch
    {
        bool flag => !flag,
        TimeSpan span => span + TimeSpan.FromSeconds(1),
        int number => number + 1,
        string => "another",
        null when property.PropertyType == typeof(string) => "another",
        null when property.PropertyType == typeof(IEnumerable<string>) => new[] { "another" },
        null when property.PropertyType == typeof(SecurityKey) => new SymmetricSecurityKey(new byte[32]),
        null when property.PropertyType == typeof(IEnumerable<SecurityKey>) => new[] { new SymmetricSecurityKey(new byte[32]) },
        null when property.PropertyType == typeof(TimeProvider) => TimeProvider.System,
        null => new Unchanged(),
        _ when !property.PropertyType.IsValueType => null,
        _ => new Unchanged(),
    };
}
