"""Advance widths of the document fonts, for estimating text size without a renderer.

Each width is the larger of DejaVu Sans and Liberation Sans (metric-compatible with Arial) for
the character, in thousandths of an em, so that an estimate made with this table is an upper
bound for whichever of the fonts of the document's font stack is installed. Generated once
from the font files with fontTools; characters not listed count as one em.
"""

from __future__ import annotations

CHARS = (
    " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklm"
    "nopqrstuvwxyz{|}~\xa0\xa1\xa2\xa3\xa4\xa5\xa6\xa7\xa8\xa9\xaa\xab\xac\xad\xae"
    "\xaf\xb0\xb1\xb2\xb3\xb4\xb5\xb6\xb7\xb8\xb9\xba\xbb\xbc\xbd\xbe\xbf\xc0\xc1\xc2"
    "\xc3\xc4\xc5\xc6\xc7\xc8\xc9\xca\xcb\xcc\xcd\xce\xcf\xd0\xd1\xd2\xd3\xd4\xd5\xd6"
    "\xd7\xd8\xd9\xda\xdb\xdc\xdd\xde\xdf\xe0\xe1\xe2\xe3\xe4\xe5\xe6\xe7\xe8\xe9\xea"
    "\xeb\xec\xed\xee\xef\xf0\xf1\xf2\xf3\xf4\xf5\xf6\xf7\xf8\xf9\xfa\xfb\xfc\xfd\xfe"
    "\xff\u2013\u2014\u2018\u2019\u201c\u201d\u2022\u2026\xb1\xd7\u2264\u2265\u2192"
    "\u2190\u2193"
)

_REGULAR_WIDTHS = (
    "318 401 460 838 637 951 780 275 391 391 500 838 318 361 318 337 637 637 637 637 637 637 "
    "637 637 637 637 337 337 838 838 838 557 1016 685 687 723 771 667 611 778 752 295 500 667 "
    "558 863 749 788 667 788 723 667 611 732 685 989 686 667 686 391 337 391 838 557 500 613 "
    "635 550 635 616 353 635 634 278 278 580 278 975 634 612 635 635 412 521 393 634 592 818 "
    "592 592 525 637 337 637 838 318 401 637 637 637 637 337 557 500 1000 472 612 838 361 "
    "1000 553 500 838 401 401 500 637 637 318 500 401 472 612 970 970 970 611 685 685 685 685 "
    "685 685 1000 723 667 667 667 667 295 295 295 295 775 749 788 788 788 788 788 838 788 732 "
    "732 732 732 667 667 630 613 613 613 613 613 613 982 550 616 616 616 616 278 278 278 278 "
    "612 634 612 612 612 612 612 838 612 634 634 634 634 592 635 592 557 1000 318 318 519 519 "
    "590 1000 838 838 838 838 1000 1000 838"
)

_BOLD_WIDTHS = (
    "349 457 521 838 696 1002 873 307 458 458 523 838 380 416 380 366 696 696 696 696 696 696 "
    "696 696 696 696 400 400 838 838 838 611 1000 774 763 734 831 684 684 821 837 373 557 775 "
    "638 996 837 851 733 851 771 721 683 813 774 1104 771 725 726 458 366 458 838 557 500 675 "
    "716 593 716 679 436 716 712 343 343 666 343 1042 712 688 716 716 494 596 479 712 652 924 "
    "646 652 583 712 366 712 838 349 457 696 696 637 696 366 557 500 1000 564 646 838 416 "
    "1000 553 500 838 438 438 500 736 637 380 500 438 564 646 1036 1036 1036 611 774 774 774 "
    "774 774 774 1085 734 684 684 684 684 373 373 373 373 838 837 851 851 851 851 851 838 851 "
    "813 813 813 813 725 738 720 675 675 675 675 675 675 1048 593 679 679 679 679 343 343 343 "
    "343 688 712 688 688 688 688 688 838 688 712 712 712 712 652 716 652 557 1000 380 380 658 "
    "658 640 1000 838 838 838 838 1000 1000 838"
)

REGULAR: tuple[int, ...] = tuple(int(w) for w in _REGULAR_WIDTHS.split())
BOLD: tuple[int, ...] = tuple(int(w) for w in _BOLD_WIDTHS.split())
