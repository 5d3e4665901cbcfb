"""``{% load interviews_nav %}{% if user|is_recruiter %}``: the navigation's link for recruiters."""

from django import template

from monolith.interviews import selectors

register = template.Library()


@register.filter
def is_recruiter(user) -> bool:
    return selectors.is_recruiter(user=user)
