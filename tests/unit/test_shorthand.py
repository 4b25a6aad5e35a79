"""aws-cli's shorthand, as every `azlab` option that takes it reads it."""

from __future__ import annotations

import pytest

from azlab.cluster.shorthand import ShorthandError, parse, parse_flat


@pytest.mark.parametrize("text, parsed", [
    # pairs, and a value followed by items without `=` is a list
    ("foo=bar", {"foo": "bar"}),
    ("a=b,c=d,e=f", {"a": "b", "c": "d", "e": "f"}),
    ("Name=instance-state-name,Values=running,pending",
     {"Name": "instance-state-name", "Values": ["running", "pending"]}),
    ("foo=a,b,bar=c,d", {"foo": ["a", "b"], "bar": ["c", "d"]}),
    ("Name=tag:Name,Values=web", {"Name": "tag:Name", "Values": "web"}),
    ("x=a=b", {"x": "a=b"}),  # a first value may hold `=`
    # empty values
    ("foo=", {"foo": ""}),
    ("foo=,bar=", {"foo": "", "bar": ""}),
    # explicit lists
    ("foo=[]", {"foo": []}),
    ("foo=[a,b],bar=c,d", {"foo": ["a", "b"], "bar": ["c", "d"]}),
    ("foo=[a=b,c=d]", {"foo": ["a=b", "c=d"]}),
    ("foo=[,,]", {"foo": ["", ""]}),
    # hashes, nested, and lists of hashes
    ("SpotOptions={MaxPrice=0.05}", {"SpotOptions": {"MaxPrice": "0.05"}}),
    ("a={b={c=d,e=f},g=[h,i]}", {"a": {"b": {"c": "d", "e": "f"}, "g": ["h", "i"]}}),
    ("ResourceType=instance,Tags=[{Key=a,Value=b},{Key=c,Value=d}]",
     {"ResourceType": "instance", "Tags": [{"Key": "a", "Value": "b"}, {"Key": "c", "Value": "d"}]}),
    ("Tags=[{Key=a,Value=}]", {"Tags": [{"Key": "a", "Value": ""}]}),
    # quotes, with their escapes
    ("foo='bar,baz'", {"foo": "bar,baz"}),
    ('foo="bar,baz",\'q\'', {"foo": ["bar,baz", "q"]}),
    ("foo=bar,'baz=qux'", {"foo": ["bar", "baz=qux"]}),
    (r"foo='it\'s \\ here'", {"foo": "it's \\ here"}),
    (r'foo="say \"hi\""', {"foo": 'say "hi"'}),
    ("""RedrivePolicy='{"maxReceiveCount":"3"}'""", {"RedrivePolicy": '{"maxReceiveCount":"3"}'}),
    ("Tags=[{Key=a,Value='x,y'}]", {"Tags": [{"Key": "a", "Value": "x,y"}]}),
    # an escaped comma in a bare value
    (r"foo=a\,b", {"foo": "a,b"}),
    (r"foo=a,b\,c", {"foo": ["a", "b,c"]}),
    # whitespace around tokens is ignored, inside a bare value kept
    ("foo  =  [ a , b  , c  ]", {"foo": ["a", "b", "c"]}),
    ("a = b,  c = d , e,  f", {"a": "b", "c": ["d", "e", "f"]}),
    ("Name=foo,\nValues=a,b", {"Name": "foo", "Values": ["a", "b"]}),
    ("Key=Name,Value=my web server ", {"Key": "Name", "Value": "my web server"}),
    ("Tags=[ { Key = a , Value = b } ]", {"Tags": [{"Key": "a", "Value": "b"}]}),
])
def test_parses_aws_cli_shorthand(text, parsed):
    assert parse(text) == parsed


@pytest.mark.parametrize("text, message", [
    ("foo", "'foo' at character 4: expected '=', found the end"),
    ("Values=a,b,", "'Values=a,b,' at character 12: expected a key"),
    ("=x", "'=x' at character 1: expected a key"),
    ("foo=[a,b", "'foo=[a,b' at character 9: expected ',' or ']', found the end"),
    ("foo={a=b", "'foo={a=b' at character 9: expected ',' or '}', found the end"),
    ("foo={bar}", "'foo={bar}' at character 9: expected '=', found '}'"),
    ("foo=\"bar", "'foo=\"bar' at character 5: this quote is never closed (expected a closing \")"),
    ("foo='bar", "\"foo='bar\" at character 5: this quote is never closed (expected a closing ')"),
    ("foo='a' b", "at character 9: expected ',', found 'b'"),
    ("foo=[a]]", "at character 8: expected ',', found ']'"),
    ("a=1,a=2", "'a=1,a=2' at character 5: expected each key once (a is given twice)"),
    ("", "'' at character 1: expected a key"),
])
def test_bad_input_says_where_and_what_was_expected(text, message):
    with pytest.raises(ShorthandError) as error:
        parse(text)
    assert message in str(error.value) and "\n" not in str(error.value)


def test_a_flat_structure_takes_single_strings_and_known_keys():
    assert parse_flat("ParameterName=a,ParameterValue=b", {"ParameterName", "ParameterValue"}) == {
        "ParameterName": "a", "ParameterValue": "b"}
    with pytest.raises(ShorthandError, match="unknown key 'Port'"):
        parse_flat("Protocol=HTTP,Port=80", ["Protocol", "LoadBalancerPort"])
    with pytest.raises(ShorthandError, match="missing ParameterValue=..."):
        parse_flat("ParameterName=a", required=["ParameterName", "ParameterValue"])
    with pytest.raises(ShorthandError, match="Policy takes one value, not a list .*Policy='a,b'"):
        parse_flat("Policy=a,b")
    with pytest.raises(ShorthandError, match="not a hash"):
        parse_flat("Policy={a=b}")
