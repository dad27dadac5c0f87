// Posts the LTI deep-linking answer back to the LMS at once; without JavaScript the button does it.
document.querySelector('form[data-autosubmit]')?.submit();
