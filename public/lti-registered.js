// Tells the LMS that opened the registration page that we are done (LTI Dynamic Registration 1.0).
(window.opener || window.parent).postMessage({ subject: 'org.imsglobal.lti.close' }, '*');
